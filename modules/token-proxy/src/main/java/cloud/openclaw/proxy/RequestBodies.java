package cloud.openclaw.proxy;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads a JSON request body, refusing the wrong content type and anything over the size limit. */
final class RequestBodies {
  private RequestBodies() {}

  static byte[] read(ServerRequest request, int maxBytes) {
    String type = request.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    if (!type.toLowerCase().startsWith("application/json")) {
      throw OpenAiError.of(
          Status.UNSUPPORTED_MEDIA_TYPE_415,
          "invalid_request_error",
          "unsupported_media_type",
          "Content-Type must be application/json, got '" + type + "'.");
    }
    long declared = request.headers().contentLength().orElse(-1);
    if (declared > maxBytes) {
      throw tooLarge(maxBytes);
    }
    // Not closed here: closing reads what is left of the body, and a chunked body over the server's
    // limit must not be read on (its RequestException becomes the 413, and the connection closes).
    InputStream in = request.content().inputStream();
    try {
      byte[] body = declared >= 0 ? exactly((int) declared, in) : in.readNBytes(maxBytes + 1);
      if (body.length > maxBytes) {
        throw tooLarge(maxBytes);
      }
      if (body.length == 0) {
        throw OpenAiError.invalidRequest("The request body is empty.", null);
      }
      return body;
    } catch (IOException | UncheckedIOException e) {
      throw OpenAiError.invalidRequest("The request body could not be read.", null);
    }
  }

  // The declared length read straight into one array: no growing buffers, no final copy.
  private static byte[] exactly(int length, InputStream in) throws IOException {
    byte[] body = new byte[length];
    if (in.readNBytes(body, 0, length) < length) {
      throw new IOException("the body ended before its Content-Length");
    }
    return body;
  }

  private static OpenAiError tooLarge(int maxBytes) {
    return OpenAiError.of(
        Status.REQUEST_ENTITY_TOO_LARGE_413,
        "invalid_request_error",
        "request_too_large",
        "The request body is larger than " + maxBytes + " bytes.");
  }
}
