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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  private static final Pattern AUTHORIZATION =
      Pattern.compile(
          "AWS4-HMAC-SHA256\\s+Credential=([^,\\s]+)\\s*,\\s*SignedHeaders=([^,\\s]+)\\s*,"
              + "\\s*Signature=([0-9a-fA-F]+)\\s*");

  private final S3Settings settings;
  private final Clock clock;

  SigV4(S3Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
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
      return verifyQuery(method, rawPath, query, header);
    }
    if (authorization == null) {
      throw S3Exception.accessDenied("Access Denied");
    }
    return verifyHeader(method, rawPath, query, header, authorization);
  }

  private String verifyHeader(
      String method,
      String rawPath,
      List<Map.Entry<String, String>> query,
      Function<String, String> header,
      String authorization) {
    Matcher parts = AUTHORIZATION.matcher(authorization.strip());
    if (!parts.matches()) {
      throw new S3Exception(
          400,
          "AuthorizationHeaderMalformed",
          "The authorization header is malformed; it must be AWS4-HMAC-SHA256"
              + " Credential=..., SignedHeaders=..., Signature=...",
          null);
    }
    String amzDate = header.apply("x-amz-date");
    if (amzDate == null) {
      throw S3Exception.accessDenied(
          "AWS authentication requires a valid Date or x-amz-date header");
    }
    Instant signedAt = parseAmzDate(amzDate, false);
    Instant now = clock.instant();
    if (Duration.between(signedAt, now).abs().compareTo(SKEW) > 0) {
      throw new S3Exception(
          403,
          "RequestTimeTooSkewed",
          "The difference between the request time and the current time is too large.",
          null);
    }
    String scope = checkCredential(parts.group(1), amzDate, false);
    String payloadHash = header.apply("x-amz-content-sha256");
    if (payloadHash == null) {
      throw S3Exception.invalidRequest(
          "Missing required header for this request: x-amz-content-sha256");
    }
    if (!payloadHash.equals(UNSIGNED_PAYLOAD) && !payloadHash.matches("[0-9a-f]{64}")) {
      if (payloadHash.startsWith("STREAMING-")) {
        throw new S3Exception(
            501,
            "NotImplemented",
            "The stand-in does not model aws-chunked uploads (" + payloadHash + ")",
            null);
      }
      throw new S3Exception(
          400,
          "InvalidArgument",
          "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-... or a valid sha256 value.",
          null);
    }
    List<String> signedHeaders = signedHeaders(parts.group(2), header, false);
    String expected =
        signature(method, rawPath, query, header, signedHeaders, payloadHash, amzDate, scope);
    if (!constantTimeEquals(expected, parts.group(3).toLowerCase(Locale.ROOT))) {
      throw S3Exception.signatureDoesNotMatch();
    }
    return payloadHash;
  }

  private String verifyQuery(
      String method,
      String rawPath,
      List<Map.Entry<String, String>> query,
      Function<String, String> header) {
    String algorithm = param(query, "X-Amz-Algorithm");
    String credential = param(query, "X-Amz-Credential");
    String amzDate = param(query, "X-Amz-Date");
    String expires = param(query, "X-Amz-Expires");
    String signedHeaderList = param(query, "X-Amz-SignedHeaders");
    String signature = param(query, "X-Amz-Signature");
    if (algorithm == null
        || credential == null
        || amzDate == null
        || expires == null
        || signedHeaderList == null) {
      throw queryParametersError(
          "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential,"
              + " X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
    }
    if (!ALGORITHM.equals(algorithm)) {
      throw queryParametersError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    }
    long seconds;
    try {
      seconds = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 1 || seconds > MAX_EXPIRES_SECONDS) {
      throw queryParametersError("X-Amz-Expires must be between 1 and 604800 seconds");
    }
    Instant signedAt = parseAmzDate(amzDate, true);
    Instant now = clock.instant();
    if (now.isBefore(signedAt.minus(SKEW))) {
      throw S3Exception.accessDenied("Request is not valid yet");
    }
    if (now.isAfter(signedAt.plusSeconds(seconds))) {
      throw S3Exception.accessDenied("Request has expired");
    }
    String scope = checkCredential(credential, amzDate, true);
    List<String> signedHeaders = signedHeaders(signedHeaderList, header, true);
    String payloadHash = param(query, "X-Amz-Content-Sha256");
    if (payloadHash == null) {
      payloadHash = UNSIGNED_PAYLOAD;
    }
    List<Map.Entry<String, String>> unsigned =
        query.stream().filter(p -> !p.getKey().equals("X-Amz-Signature")).toList();
    String expected =
        signature(method, rawPath, unsigned, header, signedHeaders, payloadHash, amzDate, scope);
    if (!constantTimeEquals(expected, signature.toLowerCase(Locale.ROOT))) {
      throw S3Exception.signatureDoesNotMatch();
    }
    return payloadHash;
  }

  /** Checks {@code <key>/<date>/<region>/s3/aws4_request}; answers the scope after the key. */
  private String checkCredential(String credential, String amzDate, boolean presigned) {
    String[] parts = credential.split("/", -1);
    if (parts.length != 5) {
      throw malformedCredential(
          presigned,
          "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
    }
    if (!parts[0].equals(settings.accessKey())) {
      throw S3Exception.invalidAccessKeyId();
    }
    if (!parts[1].equals(amzDate.substring(0, 8))) {
      throw malformedCredential(
          presigned,
          "Invalid credential date. Date is not the same as X-Amz-Date: \"" + parts[1] + "\".");
    }
    if (!parts[2].equals(settings.region())) {
      throw malformedCredential(
          presigned,
          "the region '" + parts[2] + "' is wrong; expecting '" + settings.region() + "'");
    }
    if (!parts[3].equals("s3") || !parts[4].equals("aws4_request")) {
      throw malformedCredential(
          presigned, "the Credential is mal-formed; expecting service s3 and aws4_request");
    }
    return parts[1] + "/" + parts[2] + "/s3/aws4_request";
  }

  private static S3Exception malformedCredential(boolean presigned, String message) {
    return presigned
        ? queryParametersError("Error parsing the X-Amz-Credential parameter; " + message)
        : new S3Exception(
            400,
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; " + message,
            null);
  }

  /**
   * The signed header names; host must be among them, and, as S3 demands, every x-amz-* header sent
   * (header auth only: a presigned URL's client adds what it likes).
   */
  private static List<String> signedHeaders(
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

  private String signature(
      String method,
      String rawPath,
      List<Map.Entry<String, String>> query,
      Function<String, String> header,
      List<String> signedHeaders,
      String payloadHash,
      String amzDate,
      String scope) {
    String canonicalRequest =
        CanonicalRequest.of(method, rawPath, query, header, signedHeaders, payloadHash);
    String stringToSign =
        ALGORITHM
            + "\n"
            + amzDate
            + "\n"
            + scope
            + "\n"
            + Digests.hex(Digests.sha256(canonicalRequest));
    byte[] key =
        Digests.hmac(
            ("AWS4" + settings.secretKey()).getBytes(StandardCharsets.UTF_8),
            scope.substring(0, 8));
    key = Digests.hmac(key, settings.region());
    key = Digests.hmac(key, "s3");
    key = Digests.hmac(key, "aws4_request");
    return Digests.hex(Digests.hmac(key, stringToSign));
  }

  private static Instant parseAmzDate(String amzDate, boolean presigned) {
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

  private static String param(List<Map.Entry<String, String>> query, String name) {
    return new S3Query(query).get(name);
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  private static S3Exception queryParametersError(String message) {
    return new S3Exception(400, "AuthorizationQueryParametersError", message, null);
  }
}
