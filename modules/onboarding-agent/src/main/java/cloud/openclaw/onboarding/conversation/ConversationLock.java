package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.redis.RedisLock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One turn at a time per conversation, across replicas: a Redis lock ({@code SET NX PX}) held for
 * the turn. A second input (a repeated confirm) waits for the first to finish and then sees what it
 * did. The lease bounds a holder that died; releasing checks the holder, so a late holder never
 * frees the next one's lock.
 */
public final class ConversationLock {
  private static final Duration LEASE = Duration.ofMinutes(2);
  private static final Duration WAIT = Duration.ofSeconds(90);

  private final Redis redis;

  public ConversationLock(Redis redis) {
    this.redis = redis;
  }

  public <T> T holding(String key, Supplier<T> work) {
    try (RedisLock.Lease lease =
        new RedisLock(redis, redis.key("onboarding", "lock", key), LEASE)
            .take(WAIT)
            .orElseThrow(
                () -> new UnavailableException("the conversation is busy; try again", null))) {
      return work.get();
    }
  }
}
