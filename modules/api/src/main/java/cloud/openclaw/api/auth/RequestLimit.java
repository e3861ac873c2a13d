package cloud.openclaw.api.auth;

import cloud.openclaw.platform.errors.TooManyRequestsException;
import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;
import java.util.Arrays;
import redis.clients.jedis.params.SetParams;

/**
 * At most {@code limit} requests per subject (an email, a client address, a customer) in a fixed
 * window counted in Redis, so every replica counts together; the window starts with the subject's
 * first request. One more is refused with {@link TooManyRequestsException}: HTTP 429 with
 * Retry-After, the seconds left in the window.
 */
public final class RequestLimit {
  private final Redis redis;
  private final int limit;
  private final Duration window;
  private final String[] key;

  /**
   * @param key the parts of the Redis key before the subject (e.g. "auth", "login", "ip")
   */
  public RequestLimit(Redis redis, int limit, Duration window, String... key) {
    this.redis = redis;
    this.limit = limit;
    this.window = window;
    this.key = key.clone();
  }

  /** Counts one request of {@code who}; throws, saying {@code refusal}, once past the limit. */
  public void count(String who, String refusal) {
    String[] parts = Arrays.copyOf(key, key.length + 1);
    parts[key.length] = who;
    String counter = redis.key(parts);
    var client = redis.client();
    // The window starts with the first request; SET NX EX then INCR keeps the expiry on the key.
    client.set(counter, "0", SetParams.setParams().nx().ex(window.toSeconds()));
    long requests = client.incr(counter);
    if (requests > limit) {
      long ttl = client.ttl(counter);
      throw new TooManyRequestsException(
          refusal, Duration.ofSeconds(ttl > 0 ? ttl : window.toSeconds()));
    }
  }
}
