package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.TooManyRequestsException;
import cloud.openclaw.platform.redis.Redis;
import java.time.Clock;
import java.time.Duration;

/** Inputs per conversation and minute (a Redis counter per minute); one too many is refused. */
public final class MessageLimit {
  private final Redis redis;
  private final int perMinute;
  private final Clock clock;

  public MessageLimit(Redis redis, int perMinute, Clock clock) {
    this.redis = redis;
    this.perMinute = perMinute;
    this.clock = clock;
  }

  /** Counts one input of {@code key}; throws {@link TooManyRequestsException} past the limit. */
  public void count(String key) {
    long minute = clock.millis() / 60_000;
    String counter = redis.key("onboarding", "rate", key, Long.toString(minute));
    long count = redis.client().incr(counter);
    if (count == 1) {
      redis.client().expire(counter, 120);
    }
    if (count > perMinute) {
      long left = 60 - (clock.millis() / 1000) % 60;
      throw new TooManyRequestsException(
          "at most " + perMinute + " messages a minute; wait a moment", Duration.ofSeconds(left));
    }
  }
}
