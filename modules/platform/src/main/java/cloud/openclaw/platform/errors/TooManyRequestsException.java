package cloud.openclaw.platform.errors;

import java.time.Duration;

/** Past a limit (attempts, messages, changes per window): HTTP 429 with Retry-After. */
public final class TooManyRequestsException extends DomainException {
  private final Duration retryAfter;

  public TooManyRequestsException(String message, Duration retryAfter) {
    super("too_many_requests", message, null);
    this.retryAfter = retryAfter;
  }

  /** How long until the limit lets the caller in again. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
