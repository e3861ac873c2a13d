package cloud.openclaw.sandbox.s3;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * AWS Signature Version 4 as S3 checks it, in both forms: the {@code Authorization} header and the
 * presigned URL's query parameters
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html). The
 * canonical request is rebuilt from what arrived (method, path, query, the signed headers, the
 * payload hash) and signed with the configured secret; the signatures must be equal.
 */
final class SigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /** How far a header-signed request's time may be from the server's (S3: 15 minutes). */
  static final Duration SKEW = Duration.ofMinutes(15);

  /** The longest X-Amz-Expires S3 accepts: seven days. */
  static final long MAX_EXPIRES_SECONDS = 604_800;

  static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);

  private final HeaderAuth headerAuth;
  private final PresignedUrlAuth presignedUrlAuth;

  SigV4(S3Settings settings, Clock clock) {
    SigningCredentials credentials = new SigningCredentials(settings);
    this.headerAuth = new HeaderAuth(credentials, clock);
    this.presignedUrlAuth = new PresignedUrlAuth(credentials, clock);
  }

  /**
   * Checks a request's signature, or throws the S3 error a real bucket answers. Answers the payload
   * hash the signature covers: a hex SHA-256 the body must match, or {@value #UNSIGNED_PAYLOAD}.
   *
   * @param rawPath the path as sent, percent-encoded
   * @param query the query parameters, decoded, in the order sent
   * @param header a request header by lower-case name, all its values joined with ",", or null
   */
  String verify(
      String method,
      String rawPath,
      List<Map.Entry<String, String>> query,
      Function<String, String> header) {
    String authorization = header.apply("authorization");
    boolean presigned = query.stream().anyMatch(p -> p.getKey().equals("X-Amz-Signature"));
    if (authorization != null && presigned) {
      throw S3Exception.invalidArgument("Only one auth mechanism allowed");
    }
    if (presigned) {
      return presignedUrlAuth.verify(method, rawPath, query, header);
    }
    if (authorization == null) {
      throw S3Exception.accessDenied("Access Denied");
    }
    return headerAuth.verify(method, rawPath, query, header, authorization);
  }

  /**
   * The signed header names; host must be among them, and, as S3 demands, every x-amz-* header sent
   * (header auth only: a presigned URL's client adds what it likes).
   */
  static List<String> signedHeaders(
      String list, Function<String, String> header, boolean presigned) {
    List<String> names = List.of(list.toLowerCase(Locale.ROOT).split(";"));
    if (!names.contains("host")) {
      throw S3Exception.accessDenied("Host must be a signed header");
    }
    for (String name : names) {
      if (header.apply(name) == null) {
        throw S3Exception.accessDenied(
            "There were headers present in the signed headers list which were not sent: " + name);
      }
    }
    if (!presigned) {
      for (String name : List.of("x-amz-content-sha256", "x-amz-date")) {
        if (!names.contains(name)) {
          throw S3Exception.accessDenied(
              "There were headers present in the request which were not signed: " + name);
        }
      }
    }
    return names;
  }

  static Instant parseAmzDate(String amzDate, boolean presigned) {
    try {
      return LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      if (presigned) {
        throw queryParametersError(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
      }
      throw S3Exception.accessDenied(
          "AWS authentication requires a valid Date or x-amz-date header");
    }
  }

  static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  static S3Exception queryParametersError(String message) {
    return new S3Exception(400, "AuthorizationQueryParametersError", message, null);
  }
}
