package cloud.openclaw.operator.workspaces;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Presigned S3 URLs (AWS Signature Version 4 in the query string, payload UNSIGNED-PAYLOAD, only
 * the host header signed): whoever holds such a URL may do that one request on that one object
 * until it expires, and never learns the key. Path-style ({@code <endpoint>/<bucket>/<key>}), which
 * every S3-compatible store answers. Pure: the time comes from the clock.
 */
public final class S3Presigner {
  /** The longest validity SigV4 allows: 7 days. */
  public static final Duration MAX_TTL = Duration.ofDays(7);

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String ALGORITHM = "AWS4-HMAC-SHA256";

  private final URI endpoint;
  private final String region;
  private final String accessKey;
  private final String secretKey;
  private final Clock clock;

  /**
   * @param endpoint scheme, host and optional port (no path), e.g. {@code
   *     https://s3.eu-central-1.amazonaws.com}
   */
  public S3Presigner(URI endpoint, String region, String accessKey, String secretKey, Clock clock) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    if (endpoint.getHost() == null
        || !(endpoint.getPath() == null
            || endpoint.getPath().isEmpty()
            || "/".equals(endpoint.getPath()))) {
      throw new IllegalArgumentException(
          "an S3 endpoint is scheme://host[:port] without a path, not " + endpoint);
    }
    this.region = Objects.requireNonNull(region, "region");
    this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
    this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A URL for {@code method} (GET, PUT, HEAD) on {@code <endpoint>/<bucket>/<key>}. */
  public URI object(String method, String bucket, String key, Duration ttl) {
    return presign(method, "/" + bucket + "/" + key, ttl);
  }

  /**
   * A URL for {@code method} on {@code path} (unencoded, from the endpoint's root) valid for {@code
   * ttl} from now.
   */
  public URI presign(String method, String path, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("a presigned URL lives 1 s to 7 days, not " + ttl);
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("the path must start with /: " + path);
    }
    String stamp = STAMP.format(clock.instant());
    String date = stamp.substring(0, 8);
    String scope = date + "/" + region + "/s3/aws4_request";
    String host = host();

    Map<String, String> query = new TreeMap<>();
    query.put("X-Amz-Algorithm", ALGORITHM);
    query.put("X-Amz-Credential", accessKey + "/" + scope);
    query.put("X-Amz-Date", stamp);
    query.put("X-Amz-Expires", Long.toString(ttl.toSeconds()));
    query.put("X-Amz-SignedHeaders", "host");
    String canonicalQuery = canonicalQuery(query);
    String canonicalUri = encode(path, false);

    String canonicalRequest =
        String.join(
            "\n",
            method.toUpperCase(Locale.ROOT),
            canonicalUri,
            canonicalQuery,
            "host:" + host + "\n",
            "host",
            "UNSIGNED-PAYLOAD");
    String toSign = String.join("\n", ALGORITHM, stamp, scope, hex(sha256(canonicalRequest)));
    byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, "s3");
    key = hmac(key, "aws4_request");
    String signature = hex(hmac(key, toSign));

    return URI.create(
        endpoint.getScheme()
            + "://"
            + host
            + canonicalUri
            + "?"
            + canonicalQuery
            + "&X-Amz-Signature="
            + signature);
  }

  private String host() {
    int port = endpoint.getPort();
    boolean defaultPort =
        port == -1
            || ("https".equals(endpoint.getScheme()) && port == 443)
            || ("http".equals(endpoint.getScheme()) && port == 80);
    return endpoint.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }

  private static String canonicalQuery(Map<String, String> sorted) {
    StringBuilder out = new StringBuilder();
    sorted.forEach(
        (k, v) -> {
          if (!out.isEmpty()) {
            out.append('&');
          }
          out.append(encode(k, true)).append('=').append(encode(v, true));
        });
    return out.toString();
  }

  /** AWS's UriEncode: unreserved characters as they are, the rest %XX; '/' kept in a path. */
  static String encode(String value, boolean encodeSlash) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      boolean unreserved =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || c == '_'
              || c == '~';
      if (unreserved || (c == '/' && !encodeSlash)) {
        out.append(c);
      } else {
        out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
    }
    return out.toString();
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static byte[] hmac(byte[] key, String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public String toString() {
    return "S3Presigner[" + endpoint + ", " + region + "]";
  }
}
