package cloud.openclaw.operator.workspaces;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where Kubernetes boxes' workspaces go, one archive per customer: {@code
 * s3://<bucket>/workspaces/<customer id>.tar.gz}, written by the destroy job's archive Job and by
 * the nightly snapshot of running boxes (the snapshot keys are read by {@code
 * WorkspaceSnapshots.Schedule}), and read by the next box's restore init container. Keys {@code
 * operator.workspaces.*}; with no endpoint or no bucket the feature is off ({@link #from} is
 * empty). The bucket key stays in the operator: the boxes get presigned URLs for their customer's
 * one object.
 *
 * @param endpoint the S3 endpoint, scheme://host[:port] (path-style requests)
 * @param region the signing region
 * @param bucket the bucket
 * @param accessKey the access key id (read from a file)
 * @param secretKey the secret access key (read from a file)
 * @param restoreUrlTtl how long the restore (GET) URL written for a box stays valid: it is
 *     re-signed on every apply of the box, and needed only when the box's pod starts on an empty
 *     volume
 * @param archiveTimeout how long a destroy waits for the archive Job before deleting anyway
 * @param egressCidrs where the endpoint is, when not on a public address on 443: the boxes'
 *     NetworkPolicy opens these on the endpoint's port
 */
public record WorkspaceStore(
    URI endpoint,
    String region,
    String bucket,
    String accessKey,
    String secretKey,
    Duration restoreUrlTtl,
    Duration archiveTimeout,
    List<String> egressCidrs) {

  public static final String PREFIX = "operator.workspaces.";

  /** Every key of the feature, without the {@value #PREFIX} prefix. */
  public static final List<String> KEYS =
      List.of(
          "s3.endpoint",
          "s3.region",
          "s3.bucket",
          "s3.access-key-file",
          "s3.secret-key-file",
          "s3.url-ttl",
          "s3.egress-cidrs",
          "archive-timeout",
          "snapshot-interval",
          "snapshot-concurrency");

  private static final Pattern IPV4_CIDR =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

  public WorkspaceStore {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(bucket, "bucket");
    egressCidrs = List.copyOf(egressCidrs);
    if (restoreUrlTtl.compareTo(S3Presigner.MAX_TTL) > 0) {
      throw new IllegalArgumentException("a presigned URL lives at most 7 days");
    }
  }

  /** The store the configuration names, or empty when it names none (no endpoint or bucket). */
  public static Optional<WorkspaceStore> from(Settings settings) {
    String endpoint = settings.optionalUri(key("s3.endpoint"), "http", "https");
    String bucket = settings.optionalString(key("s3.bucket"));
    if (endpoint.isEmpty() || bucket.isEmpty()) {
      return Optional.empty();
    }
    URI uri = URI.create(endpoint.replaceAll("/+$", ""));
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
      throw new ConfigurationException(
          key("s3.endpoint"), "'" + endpoint + "' must be scheme://host[:port], without a path");
    }
    Duration ttl = settings.duration(key("s3.url-ttl"));
    if (ttl.compareTo(S3Presigner.MAX_TTL) > 0) {
      throw new ConfigurationException(key("s3.url-ttl"), ttl + " is longer than 7 days (P7D)");
    }
    for (String cidr : settings.list(key("s3.egress-cidrs"))) {
      var m = IPV4_CIDR.matcher(cidr);
      boolean ok = m.matches() && Integer.parseInt(m.group(5)) <= 32;
      for (int i = 1; ok && i <= 4; i++) {
        ok = Integer.parseInt(m.group(i)) <= 255;
      }
      if (!ok) {
        throw new ConfigurationException(
            key("s3.egress-cidrs"), "'" + cidr + "' is not an IPv4 CIDR such as 10.0.5.0/24");
      }
    }
    return Optional.of(
        new WorkspaceStore(
            uri,
            settings.string(key("s3.region")),
            bucket,
            file(settings, "s3.access-key-file"),
            file(settings, "s3.secret-key-file"),
            ttl,
            settings.duration(key("archive-timeout")),
            settings.list(key("s3.egress-cidrs"))));
  }

  /** The object a customer's workspace archive is kept in. */
  public static String objectKey(UUID customerId) {
    return "workspaces/" + customerId + ".tar.gz";
  }

  /** The port the boxes reach the endpoint on. */
  public int port() {
    if (endpoint.getPort() != -1) {
      return endpoint.getPort();
    }
    return "http".equals(endpoint.getScheme()) ? 80 : 443;
  }

  /** A GET of the customer's archive, valid {@link #restoreUrlTtl} from now. */
  public URI restoreUrl(UUID customerId, Clock clock) {
    return presigner(clock).object("GET", bucket, objectKey(customerId), restoreUrlTtl);
  }

  /** A PUT of the customer's archive, valid for the archive Job's life and a margin. */
  public URI archiveUrl(UUID customerId, Clock clock) {
    Duration ttl = archiveTimeout.plusMinutes(5);
    if (ttl.compareTo(S3Presigner.MAX_TTL) > 0) {
      ttl = S3Presigner.MAX_TTL;
    }
    return presigner(clock).object("PUT", bucket, objectKey(customerId), ttl);
  }

  private S3Presigner presigner(Clock clock) {
    return new S3Presigner(endpoint, region, accessKey, secretKey, clock);
  }

  private static String key(String name) {
    return PREFIX + name;
  }

  private static String file(Settings settings, String name) {
    String path = settings.string(key(name));
    try {
      String value = Files.readString(Path.of(path)).strip();
      if (value.isEmpty()) {
        throw new ConfigurationException(key(name), path + " is empty");
      }
      return value;
    } catch (IOException e) {
      throw new ConfigurationException(key(name), "cannot read " + path + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "WorkspaceStore[" + endpoint + ", bucket " + bucket + ", region " + region + "]";
  }
}
