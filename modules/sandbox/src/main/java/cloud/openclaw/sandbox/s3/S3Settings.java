package cloud.openclaw.sandbox.s3;

import cloud.openclaw.platform.config.Settings;
import java.util.List;
import java.util.Objects;

/**
 * How the S3 stand-in behaves, from {@code sandbox.s3.*}.
 *
 * @param accessKey the one access key id accepted in a SigV4 credential
 * @param secretKey its secret: signatures are checked with it
 * @param region the region of the credential scope; a request signed for another is refused
 * @param buckets the buckets that exist from the start
 * @param minPartSize the smallest part of a multipart upload but the last (AWS: 5 MiB)
 */
public record S3Settings(
    String accessKey, String secretKey, String region, List<String> buckets, long minPartSize) {
  /** AWS' minimum part size of a multipart upload, every part but the last. */
  public static final long AWS_MIN_PART_SIZE = 5L << 20;

  public S3Settings {
    Objects.requireNonNull(accessKey, "accessKey");
    Objects.requireNonNull(secretKey, "secretKey");
    Objects.requireNonNull(region, "region");
    buckets = List.copyOf(buckets);
    if (accessKey.isBlank() || secretKey.isBlank() || region.isBlank()) {
      throw new IllegalArgumentException("access key, secret key and region must not be blank");
    }
    if (minPartSize < 1) {
      throw new IllegalArgumentException("minPartSize below 1: " + minPartSize);
    }
  }

  /** The defaults of sandbox/application.yaml, for tests that build a stand-in by hand. */
  public static S3Settings defaults() {
    return new S3Settings(
        "AKIASANDBOXS3", "sandbox-s3-secret", "us-east-1", List.of("sandbox"), AWS_MIN_PART_SIZE);
  }

  public S3Settings withBuckets(String... names) {
    return new S3Settings(accessKey, secretKey, region, List.of(names), minPartSize);
  }

  public static S3Settings from(Settings settings) {
    String buckets = settings.optionalString("sandbox.s3.buckets");
    return new S3Settings(
        settings.string("sandbox.s3.access-key"),
        settings.string("sandbox.s3.secret-key"),
        settings.string("sandbox.s3.region"),
        buckets.isEmpty()
            ? List.of()
            : List.of(buckets.split(",")).stream().map(String::strip).toList(),
        AWS_MIN_PART_SIZE);
  }
}
