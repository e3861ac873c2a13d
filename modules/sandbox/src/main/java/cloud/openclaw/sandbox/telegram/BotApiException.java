package cloud.openclaw.sandbox.telegram;

/**
 * A Bot API error: answered as {@code {"ok":false,"error_code":code,"description":...}} with the
 * HTTP status {@code code}, as Telegram does. Thrown without a stack trace.
 */
final class BotApiException extends RuntimeException {
  final int code;

  BotApiException(int code, String description) {
    super(description, null, false, false);
    this.code = code;
  }

  static BotApiException badRequest(String what) {
    return new BotApiException(400, "Bad Request: " + what);
  }

  static BotApiException notFound() {
    return new BotApiException(404, "Not Found");
  }

  static BotApiException unauthorized() {
    return new BotApiException(401, "Unauthorized");
  }

  static BotApiException conflict(String description) {
    return new BotApiException(409, description);
  }
}
