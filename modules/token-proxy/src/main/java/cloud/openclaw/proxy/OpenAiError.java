package cloud.openclaw.proxy;

import io.helidon.http.Status;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the proxy refuses or cannot complete, answered in OpenAI's error shape {@code {"error":
 * {"message", "type", "param", "code"}}} so that OpenAI clients (OpenClaw among them) understand
 * it. {@code code} is what a client acts on.
 */
public final class OpenAiError extends RuntimeException {
  private final Status status;
  private final String type;
  private final String code;
  private final String param;
  private final Long retryAfterSeconds;

  private OpenAiError(
      Status status, String type, String code, String message, String param, Long retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfter;
  }

  public static OpenAiError invalidRequest(String message, String param) {
    return new OpenAiError(
        Status.BAD_REQUEST_400, "invalid_request_error", "invalid_request", message, param, null);
  }

  public static OpenAiError of(Status status, String type, String code, String message) {
    return new OpenAiError(status, type, code, message, null, null);
  }

  public static OpenAiError rateLimited(long retryAfterMillis) {
    long seconds = Math.max(1, (retryAfterMillis + 999) / 1000);
    return new OpenAiError(
        Status.TOO_MANY_REQUESTS_429,
        "rate_limit_error",
        "rate_limit_exceeded",
        "Rate limit reached for this agent; retry after " + seconds + " s.",
        null,
        seconds);
  }

  public static OpenAiError quotaExhausted(String message) {
    return new OpenAiError(
        Status.TOO_MANY_REQUESTS_429,
        "insufficient_quota",
        "insufficient_quota",
        message,
        null,
        null);
  }

  /**
   * PostgreSQL cannot be reached and what the request needs is not in the caches (a token or
   * customer not seen lately, counters Redis lost): the client retries, as for Kimi's own 503.
   */
  public static OpenAiError unavailable() {
    return new OpenAiError(
        Status.SERVICE_UNAVAILABLE_503,
        "api_error",
        "service_unavailable",
        "The service is briefly unavailable; retry shortly.",
        null,
        5L);
  }

  public static OpenAiError notFound(String what) {
    return of(Status.NOT_FOUND_404, "invalid_request_error", "not_found", what);
  }

  public Status status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The request field at fault, or null. */
  public String param() {
    return param;
  }

  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public Map<String, Object> body() {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", getMessage());
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return Map.of("error", error);
  }
}
