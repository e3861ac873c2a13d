package cloud.openclaw.onboarding.conversation;

import java.time.Duration;

/** A conversation sent more than its messages per minute: HTTP 429 with Retry-After. */
public final class TooManyMessagesException extends RuntimeException {
  private final Duration retryAfter;

  public TooManyMessagesException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
