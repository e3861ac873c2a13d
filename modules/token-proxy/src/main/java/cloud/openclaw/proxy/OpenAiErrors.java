package cloud.openclaw.proxy;

import cloud.openclaw.platform.http.ErrorShape;
import cloud.openclaw.platform.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;

/** Where the proxy's refusals become HTTP: status, Retry-After when it applies, OpenAI's shape. */
final class OpenAiErrors {
  /** Errors the web server answers itself (a body over proxy.max-body-bytes): OpenAI's shape. */
  static final ErrorShape SHAPE =
      (status, code, message) ->
          OpenAiError.of(status, "invalid_request_error", code, message).body();

  private OpenAiErrors() {}

  static void register(HttpRouting.Builder routing) {
    routing.error(
        OpenAiError.class,
        (request, response, error) -> {
          if (error.retryAfterSeconds() != null) {
            response.header(HeaderNames.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
          }
          Json.send(response, error.status(), error.body());
        });
  }
}
