package cloud.openclaw.sandbox.s3;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for S3-compatible object storage (the backups' bucket of nixos/platform/backups.nix,
 * the boxes' workspace archives): path-style addressing, {@code /<bucket>/<key>} from the root of
 * its own listener ({@link S3Server}), objects in memory. Every request must be signed with AWS
 * Signature Version 4 ({@link SigV4}) by the configured key, in the header or as a presigned URL.
 *
 * <p>Operations (https://docs.aws.amazon.com/AmazonS3/latest/API/): PutObject (with Content-MD5 and
 * x-amz-content-sha256 checked against the body), GetObject (with a single-range {@code Range}),
 * HeadObject, DeleteObject, DeleteObjects ({@code POST ?delete}, Content-MD5 required),
 * ListObjectsV2 ({@code list-type=2}: prefix, delimiter, continuation-token, start-after,
 * max-keys), the multipart upload (CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload), CreateBucket and HeadBucket. Anything else is S3's 501 NotImplemented.
 * Errors are S3's XML ({@code <Error><Code>...}); ETags are the quoted MD5 (multipart: the MD5 of
 * the parts' MD5s, "-" and the count).
 */
public final class S3StandIn implements HttpService {
  private static final HeaderName REQUEST_ID = HeaderNames.create("x-amz-request-id");

  private final S3Store store;
  private final SigV4 sigV4;
  private final BucketOperations buckets;
  private final ObjectOperations objects;
  private final ObjectListing listing;
  private final MultipartUploads uploads;
  private final MultiObjectDelete multiDelete;
  private final AtomicInteger slowDowns = new AtomicInteger();

  public S3StandIn(S3Settings settings) {
    this(settings, Clock.systemUTC());
  }

  public S3StandIn(S3Settings settings, Clock clock) {
    this.store = new S3Store(clock, settings.minPartSize(), settings.buckets());
    this.sigV4 = new SigV4(settings, clock);
    this.buckets = new BucketOperations(store);
    this.objects = new ObjectOperations(store);
    this.listing = new ObjectListing(store);
    this.uploads = new MultipartUploads(store);
    this.multiDelete = new MultiObjectDelete(store);
  }

  /** Makes a bucket, as CreateBucket does; false when it exists. */
  public boolean createBucket(String name) {
    return store.createBucket(name);
  }

  /** The keys in {@code bucket}, sorted. */
  public List<String> keys(String bucket) {
    return store.keys(bucket);
  }

  /** An object's bytes, or null when there is none. */
  public byte[] object(String bucket, String key) {
    try {
      return store.get(bucket, key).data();
    } catch (S3Exception e) {
      return null;
    }
  }

  /**
   * The next {@code requests} requests are answered 503 SlowDown, as S3 answers when throttling: a
   * test's way to see a client retry.
   */
  public void slowDown(int requests) {
    slowDowns.set(requests);
  }

  /** Multipart uploads completed: a client's big files went up in parts. */
  public int completedUploads() {
    return store.completedUploads();
  }

  /** Multipart uploads begun and neither completed nor aborted. */
  public int openUploads() {
    return store.openUploads();
  }

  @Override
  public void routing(HttpRules rules) {
    rules.any(this::handle);
  }

  private void handle(ServerRequest http, ServerResponse response) {
    String requestId = HexFormat.of().withUpperCase().formatHex(randomBytes(8));
    response.header(REQUEST_ID, requestId);
    String method = http.prologue().method().text();
    try {
      if (slowDowns.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new S3Exception(503, "SlowDown", "Please reduce your request rate.", null);
      }
      S3Request request = S3Request.read(http, sigV4);
      if (request.key().isEmpty()) {
        bucketOperation(request, response);
      } else {
        objectOperation(request, response);
      }
    } catch (S3Exception e) {
      sendError(response, method, e, requestId);
    }
  }

  private void bucketOperation(S3Request request, ServerResponse response) {
    switch (request.method()) {
      case "GET" -> listing.list(request, response);
      case "HEAD" -> buckets.head(request, response);
      case "PUT" -> buckets.create(request, response);
      case "POST" -> {
        if (!request.query().has("delete")) {
          throw S3Exception.notImplemented();
        }
        multiDelete.delete(request, response);
      }
      default -> throw S3Exception.notImplemented();
    }
  }

  private void objectOperation(S3Request request, ServerResponse response) {
    boolean inUpload = request.uploadId() != null;
    switch (request.method()) {
      case "PUT" -> {
        ObjectOperations.checkPutHeaders(request);
        if (inUpload) {
          uploads.uploadPart(request, response);
        } else {
          objects.put(request, response);
        }
      }
      case "GET" -> objects.get(request, response);
      case "HEAD" -> objects.head(request, response);
      case "DELETE" -> {
        if (inUpload) {
          uploads.abort(request, response);
        } else {
          objects.delete(request, response);
        }
      }
      case "POST" -> {
        if (request.query().has("uploads")) {
          uploads.create(request, response);
        } else if (inUpload) {
          uploads.complete(request, response);
        } else {
          throw S3Exception.notImplemented();
        }
      }
      default -> throw S3Exception.notImplemented();
    }
  }

  private static void sendError(
      ServerResponse response, String method, S3Exception e, String requestId) {
    response.status(Status.create(e.status()));
    if (method.equals("HEAD")) {
      // HEAD answers carry no body: only the status tells.
      response.send();
      return;
    }
    StringBuilder xml = new StringBuilder("<Error><Code>");
    xml.append(e.code()).append("</Code>").append(S3Xml.element("Message", e.getMessage()));
    if (e.resource() != null) {
      String element =
          switch (e.code()) {
            case "NoSuchKey" -> "Key";
            case "NoSuchBucket", "BucketAlreadyOwnedByYou" -> "BucketName";
            case "NoSuchUpload" -> "UploadId";
            default -> "Resource";
          };
      xml.append(S3Xml.element(element, e.resource()));
    }
    xml.append("<RequestId>").append(requestId).append("</RequestId>");
    xml.append("<HostId>").append(requestId).append("</HostId></Error>");
    S3Xml.send(response, xml.toString());
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
