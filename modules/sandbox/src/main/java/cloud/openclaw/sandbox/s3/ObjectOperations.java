package cloud.openclaw.sandbox.s3;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;

/** PutObject, GetObject (with a single-range Range), HeadObject and DeleteObject. */
final class ObjectOperations {
  /**
   * S3's Last-Modified: the day always two digits (RFC 1123's formatter of the JDK writes "3 Dec";
   * pgBackRest reads the date by position and fails on that).
   */
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private final S3Store store;

  ObjectOperations(S3Store store) {
    this.store = store;
  }

  /** What PutObject and UploadPart both refuse: a copy, a body of unknown length. */
  static void checkPutHeaders(S3Request request) {
    if (request.header("x-amz-copy-source") != null) {
      throw S3Exception.notImplemented();
    }
    if (request.header("content-length") == null) {
      // S3 takes no chunked PutObject or UploadPart (aws-chunked is another thing).
      throw new S3Exception(
          411, "MissingContentLength", "You must provide the Content-Length HTTP header.", null);
    }
  }

  void put(S3Request request, ServerResponse response) {
    if (!request.query().isEmpty()) {
      throw S3Exception.notImplemented();
    }
    S3Store.S3Object stored = store.put(request.bucket(), request.key(), request.body());
    response.header(HeaderNames.ETAG, stored.etag()).status(Status.OK_200).send();
  }

  void get(S3Request request, ServerResponse response) {
    if (!request.query().onlyResponseOverrides()) {
      throw S3Exception.notImplemented();
    }
    S3Store.S3Object object = store.get(request.bucket(), request.key());
    byte[] data = object.data();
    sendMetadata(object, response);
    String header = request.header("range");
    ByteRange range = header == null ? null : ByteRange.parse(header, data.length);
    if (range != null) {
      response.header(HeaderNames.CONTENT_RANGE, range.contentRange(data.length));
      response.status(Status.PARTIAL_CONTENT_206);
      response.send(Arrays.copyOfRange(data, (int) range.first(), (int) range.last() + 1));
      return;
    }
    response.status(Status.OK_200);
    response.send(data);
  }

  void head(S3Request request, ServerResponse response) {
    S3Store.S3Object object = store.get(request.bucket(), request.key());
    sendMetadata(object, response);
    response.status(Status.OK_200);
    response.header(HeaderNames.CONTENT_LENGTH, Long.toString(object.data().length));
    response.send();
  }

  void delete(S3Request request, ServerResponse response) {
    if (!request.query().isEmpty()) {
      throw S3Exception.notImplemented();
    }
    store.delete(request.bucket(), request.key());
    response.status(Status.NO_CONTENT_204).send();
  }

  private static void sendMetadata(S3Store.S3Object object, ServerResponse response) {
    response.header(HeaderNames.ETAG, object.etag());
    response.header(HeaderNames.LAST_MODIFIED, HTTP_DATE.format(object.lastModified()));
    response.header(HeaderNames.ACCEPT_RANGES, "bytes");
    response.header(HeaderNames.CONTENT_TYPE, "binary/octet-stream");
  }
}
