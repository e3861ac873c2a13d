package cloud.openclaw.sandbox.s3;

/**
 * A refusal in S3's terms: the HTTP status and the {@code <Error><Code>} of AWS' error responses
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
final class S3Exception extends RuntimeException {
  private final int status;
  private final String code;
  private final String resource;

  S3Exception(int status, String code, String message, String resource) {
    super(message);
    this.status = status;
    this.code = code;
    this.resource = resource;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** The bucket, key or upload the error is about, or null. */
  String resource() {
    return resource;
  }

  static S3Exception noSuchKey(String key) {
    return new S3Exception(404, "NoSuchKey", "The specified key does not exist.", key);
  }

  static S3Exception noSuchBucket(String bucket) {
    return new S3Exception(404, "NoSuchBucket", "The specified bucket does not exist.", bucket);
  }

  static S3Exception noSuchUpload(String uploadId) {
    return new S3Exception(
        404,
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have"
            + " been aborted or completed.",
        uploadId);
  }

  static S3Exception accessDenied(String message) {
    return new S3Exception(403, "AccessDenied", message, null);
  }

  static S3Exception signatureDoesNotMatch() {
    return new S3Exception(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your"
            + " key and signing method.",
        null);
  }

  static S3Exception invalidAccessKeyId() {
    return new S3Exception(
        403,
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        null);
  }

  static S3Exception invalidRequest(String message) {
    return new S3Exception(400, "InvalidRequest", message, null);
  }

  static S3Exception malformedXml() {
    return new S3Exception(
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published"
            + " schema.",
        null);
  }

  static S3Exception invalidArgument(String message) {
    return new S3Exception(400, "InvalidArgument", message, null);
  }

  static S3Exception notImplemented() {
    return new S3Exception(
        501,
        "NotImplemented",
        "A header or query you provided implies functionality that is not implemented.",
        null);
  }
}
