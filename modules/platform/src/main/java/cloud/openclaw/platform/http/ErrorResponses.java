package cloud.openclaw.platform.http;

import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.errors.TooManyRequestsException;
import cloud.openclaw.platform.errors.UnavailableException;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where domain errors become HTTP, in one JSON shape: {@code {"error": {"code":
 * "...", "message": "...", "field": "..."}}}.
 */
public final class ErrorResponses {
  private static final Logger LOG = Logger.getLogger(ErrorResponses.class.getName());

  private ErrorResponses() {}

  public static void register(HttpRouting.Builder routing) {
    routing.error(
        DomainException.class,
        (request, response, error) -> {
          if (error instanceof TooManyRequestsException limited) {
            response.header(
                "Retry-After", String.valueOf(Math.max(1, limited.retryAfter().toSeconds())));
          }
          Json.send(response, status(error), body(error));
        });
    // Helidon's own HTTP errors (unknown path: 404, bad request: 400) keep their status.
    routing.error(
        HttpException.class,
        (request, response, error) ->
            Json.send(
                response, error.status(), body(code(error.status()), error.getMessage(), null)));
    routing.error(
        RuntimeException.class,
        (request, response, error) -> {
          LOG.log(Level.SEVERE, "unexpected failure on " + request.prologue(), error);
          Json.send(
              response,
              Status.INTERNAL_SERVER_ERROR_500,
              body("internal_error", "an unexpected error occurred", null));
        });
  }

  /**
   * What Helidon refuses before any routing (a malformed escape in the URI: 400, a request line too
   * long: 414, ...), in JSON too. No service is known yet, so the body is both shapes at once: the
   * platform's {@code code} and {@code message}, and OpenAI's {@code type} and {@code param} (the
   * token proxy's clients read those). The message is the status's: never an echo of the request.
   */
  public static DirectHandlers directHandlers() {
    DirectHandler json =
        (request, event, status, headers, message) -> {
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("code", code(status));
          detail.put("message", status.reasonPhrase());
          detail.put("type", "invalid_request_error");
          detail.put("param", null);
          headers.set(HeaderNames.CONTENT_TYPE, "application/json");
          return DirectHandler.TransportResponse.builder()
              .status(status)
              .headers(headers)
              .entity(Json.write(Map.of("error", detail)))
              .build();
        };
    DirectHandlers.Builder handlers = DirectHandlers.builder();
    for (DirectHandler.EventType event : DirectHandler.EventType.values()) {
      handlers.addHandler(event, json);
    }
    return handlers.build();
  }

  /** A status as an error code: 404 Not Found -> not_found. */
  static String code(Status status) {
    return status.reasonPhrase().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }

  public static Status status(DomainException error) {
    return switch (error) {
      case NotFoundException e -> Status.NOT_FOUND_404;
      case ConflictException e -> Status.CONFLICT_409;
      case InvalidInputException e -> Status.BAD_REQUEST_400;
      case UnavailableException e -> Status.SERVICE_UNAVAILABLE_503;
      case TooManyRequestsException e -> Status.TOO_MANY_REQUESTS_429;
    };
  }

  public static Map<String, Object> body(DomainException error) {
    String field = error instanceof InvalidInputException invalid ? invalid.field() : null;
    return body(error.code(), error.getMessage(), field);
  }

  public static Map<String, Object> body(String code, String message, String field) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("code", code);
    detail.put("message", message);
    if (field != null) {
      detail.put("field", field);
    }
    return Map.of("error", detail);
  }
}
