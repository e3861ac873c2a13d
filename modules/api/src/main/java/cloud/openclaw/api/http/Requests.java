package cloud.openclaw.api.http;

import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import io.helidon.http.ForbiddenException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.UUID;

/** Reading requests: JSON bodies, ids in paths, query parameters; bad input names its field. */
public final class Requests {
  /** Larger bodies are refused before they are parsed; no request of this api needs more. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private Requests() {}

  /**
   * The JSON body as {@code type}: a body that is not {@code application/json} is 415; malformed
   * JSON, content after the value, unknown fields and wrong types are 400.
   */
  public static <T> T body(ServerRequest request, Class<T> type) {
    byte[] bytes = bytes(request);
    if (bytes.length == 0) {
      throw new InvalidInputException(null, "a JSON body is required");
    }
    return Json.read(bytes, type);
  }

  /** The JSON body as {@code type}, or empty when there is none. */
  public static <T> Optional<T> optionalBody(ServerRequest request, Class<T> type) {
    byte[] bytes = bytes(request);
    return bytes.length == 0 ? Optional.empty() : Optional.of(Json.read(bytes, type));
  }

  private static byte[] bytes(ServerRequest request) {
    if (!request.content().hasEntity()) {
      return new byte[0];
    }
    requireJson(request);
    long declared =
        request.headers().first(HeaderNames.CONTENT_LENGTH).map(Long::parseLong).orElse(0L);
    if (declared > MAX_BODY_BYTES) {
      throw new InvalidInputException(null, "the request body is larger than 64 KiB");
    }
    byte[] bytes = request.content().as(byte[].class);
    if (bytes.length > MAX_BODY_BYTES) {
      throw new InvalidInputException(null, "the request body is larger than 64 KiB");
    }
    return bytes;
  }

  /**
   * Only {@code application/json} (parameters such as charset allowed): a browser posts {@code
   * text/plain} and form encodings from any site without asking, and a body of JSON sent as one of
   * those must not sign a visitor into an account of that site's choosing (login CSRF).
   */
  private static void requireJson(ServerRequest request) {
    boolean json =
        request
            .headers()
            .contentType()
            .map(
                type ->
                    type.type().equalsIgnoreCase("application")
                        && type.subtype().equalsIgnoreCase("json"))
            .orElse(false);
    if (!json) {
      throw new HttpException(
          "send the body as JSON (Content-Type: application/json)",
          Status.UNSUPPORTED_MEDIA_TYPE_415);
    }
  }

  /**
   * The id in path parameter {@code name}; one that is no UUID cannot name anything of the caller's
   * either, so it is not found.
   */
  public static UUID pathId(ServerRequest request, String name, String what) {
    try {
      return UUID.fromString(request.path().pathParameters().get(name));
    } catch (IllegalArgumentException e) {
      throw new NotFoundException(what);
    }
  }

  /** A UUID given as {@code field} (a body field or query parameter), or 400 naming it. */
  public static UUID uuid(String field, String raw) {
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field, "'" + field + "' is not a UUID");
    }
  }

  public static Optional<String> query(ServerRequest request, String name) {
    return request.query().first(name).asOptional().map(String::strip).filter(s -> !s.isEmpty());
  }

  /**
   * Query parameter {@code name} as a whole number from {@code min} to {@code max}, {@code
   * fallback} when it is absent; given but empty or anything else is 400 naming it.
   */
  public static int wholeNumber(
      ServerRequest request, String name, int min, int max, int fallback) {
    Optional<String> raw = request.query().first(name).asOptional().map(String::strip);
    if (raw.isEmpty()) {
      return fallback;
    }
    if (raw.get().matches("[0-9]{1,9}")) {
      int value = Integer.parseInt(raw.get());
      if (value >= min && value <= max) {
        return value;
      }
    }
    throw new InvalidInputException(
        name, "'" + name + "' must be a whole number from " + min + " to " + max);
  }

  /** A required string field: present, not blank, at most {@code max} characters. */
  public static String text(String field, String value, int max) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(field, "'" + field + "' is required");
    }
    if (value.length() > max) {
      throw new InvalidInputException(
          field, "'" + field + "' is longer than " + max + " characters");
    }
    return value.strip();
  }

  /**
   * A browser's request from another site's page is refused: it must not sign a visitor into an
   * account, or on with a sign-up, of its choosing. API clients send no Origin.
   */
  public static void requireOrigin(ServerRequest request, String origin) {
    String sent = request.headers().first(HeaderNames.ORIGIN).orElse(null);
    if (sent != null && !sent.equals(origin)) {
      throw new ForbiddenException("only pages of " + origin + " may send this");
    }
  }

  /**
   * The client's address: the first entry of {@code proxyHeader} (set only behind a proxy that
   * overwrites it), else the peer.
   */
  public static String clientIp(ServerRequest request, String proxyHeader) {
    if (!proxyHeader.isEmpty()) {
      Optional<String> forwarded =
          request
              .headers()
              .first(HeaderNames.create(proxyHeader))
              .map(value -> value.split(",")[0].strip())
              .filter(value -> !value.isEmpty());
      if (forwarded.isPresent()) {
        return forwarded.get();
      }
    }
    return request.remotePeer().address() instanceof InetSocketAddress address
        ? address.getAddress().getHostAddress()
        : request.remotePeer().host();
  }
}
