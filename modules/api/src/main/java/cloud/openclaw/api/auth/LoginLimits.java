package cloud.openclaw.api.auth;

import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;
import redis.clients.jedis.params.SetParams;

/**
 * Sign-in attempts per email and per client address, counted in fixed windows in Redis (so every
 * replica counts together).
 */
public final class LoginLimits {
  private final Redis redis;
  private final int perEmail;
  private final int perIp;
  private final Duration window;

  public LoginLimits(Redis redis, int perEmail, int perIp, Duration window) {
    this.redis = redis;
    this.perEmail = perEmail;
    this.perIp = perIp;
    this.window = window;
  }

  /** Counts one attempt; throws {@link RateLimitedException} once either limit is passed. */
  public void attempt(String emailHash, String clientIp) {
    check("ip", clientIp, perIp);
    check("email", emailHash, perEmail);
  }

  private void check(String kind, String who, int limit) {
    String key = redis.key("auth", "login", kind, who);
    var client = redis.client();
    // The window starts with the first attempt; SET NX EX then INCR keeps the expiry on the key.
    client.set(key, "0", SetParams.setParams().nx().ex(window.toSeconds()));
    long attempts = client.incr(key);
    if (attempts > limit) {
      long ttl = client.ttl(key);
      throw new RateLimitedException(
          "too many sign-in attempts for this " + (kind.equals("ip") ? "address" : "email"),
          Duration.ofSeconds(ttl > 0 ? ttl : window.toSeconds()));
    }
  }
}
