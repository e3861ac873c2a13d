package cloud.openclaw.sandbox.s3;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The configured access key, secret and region: checks a request's Credential and signs. */
final class SigningCredentials {
  private final S3Settings settings;

  SigningCredentials(S3Settings settings) {
    this.settings = settings;
  }

  /** Checks {@code <key>/<date>/<region>/s3/aws4_request}; answers the scope after the key. */
  String check(String credential, String amzDate, boolean presigned) {
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
        ? SigV4.queryParametersError("Error parsing the X-Amz-Credential parameter; " + message)
        : new S3Exception(
            400,
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; " + message,
            null);
  }

  String signature(
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
        SigV4.ALGORITHM
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
}
