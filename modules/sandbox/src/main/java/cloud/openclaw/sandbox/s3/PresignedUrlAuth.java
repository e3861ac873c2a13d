package cloud.openclaw.sandbox.s3;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** SigV4 in a presigned URL's X-Amz-* query parameters: valid until X-Amz-Expires runs out. */
final class PresignedUrlAuth {
  private final SigningCredentials credentials;
  private final Clock clock;

  PresignedUrlAuth(SigningCredentials credentials, Clock clock) {
    this.credentials = credentials;
    this.clock = clock;
  }

  String verify(
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
      throw SigV4.queryParametersError(
          "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential,"
              + " X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
    }
    if (!SigV4.ALGORITHM.equals(algorithm)) {
      throw SigV4.queryParametersError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    }
    long seconds;
    try {
      seconds = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 1 || seconds > SigV4.MAX_EXPIRES_SECONDS) {
      throw SigV4.queryParametersError("X-Amz-Expires must be between 1 and 604800 seconds");
    }
    Instant signedAt = SigV4.parseAmzDate(amzDate, true);
    Instant now = clock.instant();
    if (now.isBefore(signedAt.minus(SigV4.SKEW))) {
      throw S3Exception.accessDenied("Request is not valid yet");
    }
    if (now.isAfter(signedAt.plusSeconds(seconds))) {
      throw S3Exception.accessDenied("Request has expired");
    }
    String scope = credentials.check(credential, amzDate, true);
    List<String> signedHeaders = SigV4.signedHeaders(signedHeaderList, header, true);
    String payloadHash = param(query, "X-Amz-Content-Sha256");
    if (payloadHash == null) {
      payloadHash = SigV4.UNSIGNED_PAYLOAD;
    }
    List<Map.Entry<String, String>> unsigned =
        query.stream().filter(p -> !p.getKey().equals("X-Amz-Signature")).toList();
    String expected =
        credentials.signature(
            method, rawPath, unsigned, header, signedHeaders, payloadHash, amzDate, scope);
    if (!SigV4.constantTimeEquals(expected, signature.toLowerCase(Locale.ROOT))) {
      throw S3Exception.signatureDoesNotMatch();
    }
    return payloadHash;
  }

  private static String param(List<Map.Entry<String, String>> query, String name) {
    return new S3Query(query).get(name);
  }
}
