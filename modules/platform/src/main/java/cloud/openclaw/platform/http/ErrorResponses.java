package cloud.openclaw.platform.http;

import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.errors.TooManyRequestsException;
import cloud.openclaw.platform.errors.UnavailableException;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
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

  // Long enough for PostgreSQL's restart or failover, short enough for a person to retry.
  static final String RETRY_UNAVAILABLE_SECONDS = "5";

  private ErrorResponses() {}

  public static void register(HttpRouting.Builder routing) {
    routing.error(
        DomainException.class,
        (request, response, error) -> {
          if (error instanceof TooManyRequestsException limited) {
            response.header(
                "Retry-After", String.valueOf(Math.max(1, limited.retryAfter().toSeconds())));
          } else if (error instanceof UnavailableException) {
            response.header("Retry-After", RETRY_UNAVAILABLE_SECONDS);
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
          // PostgreSQL down reaches here from any store, wrapped by the pool or Helidon's DbClient.
          if (SqlErrors.unavailable(error)) {
            // One line per request: during an outage every request ends here.
            LOG.warning("database unavailable on " + request.prologue() + ": " + error);
            response.header("Retry-After", RETRY_UNAVAILABLE_SECONDS);
            Json.send(
                response,
                Status.SERVICE_UNAVAILABLE_503,
                body("unavailable", "the database is unavailable; try again shortly", null));
            return;
          }
          LOG.log(Level.SEVERE, "unexpected failure on " + request.prologue(), error);
          Json.send(
              response,
              Status.INTERNAL_SERVER_ERROR_500,
              body("internal_error", "an unexpected error occurred", null));
        });
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
