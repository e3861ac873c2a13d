package cloud.openclaw.api.auth;

import java.time.Duration;

/** Too many attempts: HTTP 429 with Retry-After. */
public final class RateLimitedException extends RuntimeException {
  private final Duration retryAfter;

  public RateLimitedException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
