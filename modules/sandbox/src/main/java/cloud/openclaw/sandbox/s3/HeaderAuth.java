package cloud.openclaw.sandbox.s3;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** SigV4 in the {@code Authorization} header: the request's time within {@link SigV4#SKEW}. */
final class HeaderAuth {
  private static final Pattern AUTHORIZATION =
      Pattern.compile(
          "AWS4-HMAC-SHA256\\s+Credential=([^,\\s]+)\\s*,\\s*SignedHeaders=([^,\\s]+)\\s*,"
              + "\\s*Signature=([0-9a-fA-F]+)\\s*");

  private final SigningCredentials credentials;
  private final Clock clock;

  HeaderAuth(SigningCredentials credentials, Clock clock) {
    this.credentials = credentials;
    this.clock = clock;
  }

  String verify(
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
    Instant signedAt = SigV4.parseAmzDate(amzDate, false);
    Instant now = clock.instant();
    if (Duration.between(signedAt, now).abs().compareTo(SigV4.SKEW) > 0) {
      throw new S3Exception(
          403,
          "RequestTimeTooSkewed",
          "The difference between the request time and the current time is too large.",
          null);
    }
    String scope = credentials.check(parts.group(1), amzDate, false);
    String payloadHash = header.apply("x-amz-content-sha256");
    if (payloadHash == null) {
      throw S3Exception.invalidRequest(
          "Missing required header for this request: x-amz-content-sha256");
    }
    if (!payloadHash.equals(SigV4.UNSIGNED_PAYLOAD) && !payloadHash.matches("[0-9a-f]{64}")) {
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
    List<String> signedHeaders = SigV4.signedHeaders(parts.group(2), header, false);
    String expected =
        credentials.signature(
            method, rawPath, query, header, signedHeaders, payloadHash, amzDate, scope);
    if (!SigV4.constantTimeEquals(expected, parts.group(3).toLowerCase(Locale.ROOT))) {
      throw S3Exception.signatureDoesNotMatch();
    }
    return payloadHash;
  }
}
