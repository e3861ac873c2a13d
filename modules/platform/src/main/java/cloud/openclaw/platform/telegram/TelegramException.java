package cloud.openclaw.platform.telegram;

import java.time.Duration;
import java.util.Optional;

/**
 * A Bot API call that failed, by what the caller can do about it: {@link TokenRefused} (401: the
 * token is wrong or revoked; asking again will not help), {@link BadRequest} (400, 403 and other
 * 4xx: this request is wrong, or the person blocked the bot), {@link Conflict} (409: another
 * getUpdates or a webhook), {@link TooManyRequests} (429: retry after {@link #retryAfter()}) and
 * {@link Unavailable} (5xx, no answer, an answer that is not the Bot API's: retrying may help).
 * {@link #errorCode()} and {@link #description()} are Telegram's (0 and a sentence of ours when
 * Telegram gave none). The message never holds the token.
 */
public abstract sealed class TelegramException extends RuntimeException {
  private final int errorCode;
  private final String description;

  TelegramException(String method, int errorCode, String description, Throwable cause) {
    super(method + ": " + description, cause);
    this.errorCode = errorCode;
    this.description = description;
  }

  /**
   * The exception for a Bot API error answer: {@code error_code}, {@code description} and {@code
   * parameters.retry_after} (seconds, or null).
   */
  public static TelegramException fromAnswer(
      String method, int errorCode, String description, Long retryAfterSeconds) {
    if (errorCode == 401 || errorCode == 404) {
      // 404: Telegram's answer to a path whose token it cannot read
      return new TokenRefused(method, errorCode, description);
    }
    if (errorCode == 409) {
      return new Conflict(method, errorCode, description);
    }
    if (errorCode == 429) {
      return new TooManyRequests(
          method,
          description,
          retryAfterSeconds == null ? null : Duration.ofSeconds(Math.max(1, retryAfterSeconds)));
    }
    if (errorCode >= 400 && errorCode < 500) {
      return new BadRequest(method, errorCode, description);
    }
    return new Unavailable(method, errorCode, description, null);
  }

  /** Telegram's error_code (the HTTP status), or 0 when Telegram did not answer. */
  public int errorCode() {
    return errorCode;
  }

  /** Telegram's description ("Bad Request: chat not found"), or what went wrong on the way. */
  public String description() {
    return description;
  }

  /** How long Telegram asks to wait before the next call (429 only). */
  public Optional<Duration> retryAfter() {
    return Optional.empty();
  }

  /** Whether the same call may succeed later (429, 5xx, no answer). */
  public boolean retryable() {
    return false;
  }

  /** 401: the token is unknown or revoked (replaced, or revoked in BotFather). */
  public static final class TokenRefused extends TelegramException {
    TokenRefused(String method, int errorCode, String description) {
      super(method, errorCode, description, null);
    }
  }

  /** 400, 403 and other 4xx: the call is wrong, or the chat refuses the bot (blocked). */
  public static final class BadRequest extends TelegramException {
    BadRequest(String method, int errorCode, String description) {
      super(method, errorCode, description, null);
    }

    /** editMessageText changed nothing (the same text and keyboard): usually fine to ignore. */
    public boolean notModified() {
      return description().contains("message is not modified");
    }

    /** 403: the person blocked the bot, or the bot may not write to the chat. */
    public boolean forbidden() {
      return errorCode() == 403;
    }
  }

  /** 409: a newer getUpdates or a webhook took over the bot's updates. */
  public static final class Conflict extends TelegramException {
    Conflict(String method, int errorCode, String description) {
      super(method, errorCode, description, null);
    }
  }

  /** 429: too many calls; {@link #retryAfter()} says when to try again (when Telegram said). */
  public static final class TooManyRequests extends TelegramException {
    private final Duration retryAfter;

    TooManyRequests(String method, String description, Duration retryAfter) {
      super(method, 429, description, null);
      this.retryAfter = retryAfter;
    }

    @Override
    public Optional<Duration> retryAfter() {
      return Optional.ofNullable(retryAfter);
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /** 5xx, no answer, or an answer that is not the Bot API's. */
  public static final class Unavailable extends TelegramException {
    Unavailable(String method, int errorCode, String description, Throwable cause) {
      super(method, errorCode, description, cause);
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }
}
