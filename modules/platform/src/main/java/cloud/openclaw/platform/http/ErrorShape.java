package cloud.openclaw.platform.http;

import io.helidon.http.Status;
import java.util.Map;

/**
 * The JSON body of an error the web server answers itself, before any route runs (a body over the
 * size limit, a malformed request): the platform's shape, or the token proxy's OpenAI shape.
 */
@FunctionalInterface
public interface ErrorShape {
  /** {@code {"error": {"code": ..., "message": ...}}}, as {@link ErrorResponses} answers. */
  ErrorShape PLATFORM = (status, code, message) -> ErrorResponses.body(code, message, null);

  Map<String, Object> body(Status status, String code, String message);
}
