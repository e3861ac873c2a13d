package cloud.openclaw.platform.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;

/**
 * The answers to requests the web server refuses itself, above all a body over {@code
 * <service>.max-body-bytes}: a 413 in the service's JSON error shape instead of Helidon's bare
 * text.
 */
final class BodyLimit {
  static final String TOO_LARGE = "request_too_large";

  private BodyLimit() {}

  /** For what fails before routing: a Content-Length over the limit, a malformed request. */
  static DirectHandlers directHandlers(ErrorShape errors, int maxBodyBytes) {
    DirectHandler json =
        (request, event, status, headers, message) -> {
          headers.set(HeaderNames.CONTENT_TYPE, "application/json");
          return DirectHandler.TransportResponse.builder()
              .status(status)
              .headers(headers)
              .entity(Json.write(body(errors, maxBodyBytes, status)))
              .build();
        };
    DirectHandlers.Builder handlers = DirectHandlers.builder();
    for (DirectHandler.EventType event : DirectHandler.EventType.values()) {
      handlers.addHandler(event, json);
    }
    return handlers.build();
  }

  /** For a chunked body, which passes the limit while a route reads it. */
  static void register(HttpRouting.Builder routing, ErrorShape errors, int maxBodyBytes) {
    routing.error(
        RequestException.class,
        (request, response, error) -> {
          // The rest of the body is not read: the connection cannot carry another request.
          response.header(HeaderNames.CONNECTION, "close");
          Json.send(response, error.status(), body(errors, maxBodyBytes, error.status()));
        });
  }

  private static Object body(ErrorShape errors, int maxBodyBytes, Status status) {
    if (status.code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
      return errors.body(
          status, TOO_LARGE, "the request body is larger than " + maxBodyBytes + " bytes");
    }
    // Helidon's own message may echo the request: the status says enough.
    return errors.body(status, ErrorResponses.code(status), status.reasonPhrase());
  }
}
