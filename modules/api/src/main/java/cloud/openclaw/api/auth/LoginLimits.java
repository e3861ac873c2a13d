package cloud.openclaw.api.auth;

import cloud.openclaw.platform.errors.TooManyRequestsException;
import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;

/**
 * Sign-in attempts per email and per client address, each a {@link RequestLimit} (counted in Redis,
 * so every replica counts together).
 */
public final class LoginLimits {
  private final RequestLimit perEmail;
  private final RequestLimit perIp;

  public LoginLimits(Redis redis, int perEmail, int perIp, Duration window) {
    this.perEmail = new RequestLimit(redis, perEmail, window, "auth", "login", "email");
    this.perIp = new RequestLimit(redis, perIp, window, "auth", "login", "ip");
  }

  /**
   * Counts one attempt; throws {@link TooManyRequestsException} once either limit is passed. A null
   * {@code clientIp} (a trusted relay whose callers were limited where they came in) counts per
   * email only.
   */
  public void attempt(String emailHash, String clientIp) {
    if (clientIp != null) {
      perIp.count(clientIp, "too many sign-in attempts for this address");
    }
    perEmail.count(emailHash, "too many sign-in attempts for this email");
  }
}
