package cloud.openclaw.platform.logging;

import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The request id: {@value #HEADER} as a caller sent it when it is a sane token, else a new one (16
 * random hex digits). It is only ever an id: a caller cannot put anything else in our log lines.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RequestIds() {}

  /** {@code incoming} when valid, else a new id. */
  public static String accept(String incoming) {
    return incoming != null && VALID.matcher(incoming).matches() ? incoming : generate();
  }

  /**
   * Puts the current request id (or, outside any request, as on a WebSocket frame, a new one) on a
   * call to another service of ours, so that its lines of the call carry the caller's id.
   */
  public static HttpRequest.Builder passOn(HttpRequest.Builder call) {
    return call.header(HEADER, LogContext.requestId().orElseGet(RequestIds::generate));
  }

  public static String generate() {
    byte[] bits = new byte[8];
    RANDOM.nextBytes(bits);
    return HexFormat.of().formatHex(bits);
  }
}
