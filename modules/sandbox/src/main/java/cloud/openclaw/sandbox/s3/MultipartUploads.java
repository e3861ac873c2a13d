package cloud.openclaw.sandbox.s3;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * The multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload and
 * AbortMultipartUpload.
 */
final class MultipartUploads {
  private final S3Store store;

  MultipartUploads(S3Store store) {
    this.store = store;
  }

  void create(S3Request request, ServerResponse response) {
    String id = store.createUpload(request.bucket(), request.key());
    S3Xml.send(
        response,
        "<InitiateMultipartUploadResult xmlns=\""
            + S3Xml.NS
            + "\">"
            + S3Xml.element("Bucket", request.bucket())
            + S3Xml.element("Key", request.key())
            + "<UploadId>"
            + id
            + "</UploadId></InitiateMultipartUploadResult>");
  }

  void uploadPart(S3Request request, ServerResponse response) {
    S3Store.S3Object part =
        store.putPart(
            request.bucket(),
            request.key(),
            request.uploadId(),
            partNumber(request.query()),
            request.body());
    response.header(HeaderNames.ETAG, part.etag()).status(Status.OK_200).send();
  }

  void complete(S3Request request, ServerResponse response) {
    String bucket = request.bucket();
    String key = request.key();
    S3Store.S3Object done = store.complete(bucket, key, request.uploadId(), parts(request.body()));
    S3Xml.send(
        response,
        "<CompleteMultipartUploadResult xmlns=\""
            + S3Xml.NS
            + "\"><Location>/"
            + S3Xml.escape(bucket)
            + "/"
            + S3Xml.escape(key)
            + "</Location>"
            + S3Xml.element("Bucket", bucket)
            + S3Xml.element("Key", key)
            + S3Xml.element("ETag", done.etag())
            + "</CompleteMultipartUploadResult>");
  }

  void abort(S3Request request, ServerResponse response) {
    store.abort(request.bucket(), request.key(), request.uploadId());
    response.status(Status.NO_CONTENT_204).send();
  }

  private static List<Map.Entry<Integer, String>> parts(byte[] body) {
    Element root = S3Xml.parse(body, "CompleteMultipartUpload");
    List<Map.Entry<Integer, String>> parts = new ArrayList<>();
    for (Element part : S3Xml.children(root, "Part")) {
      String number = S3Xml.childText(part, "PartNumber");
      String etag = S3Xml.childText(part, "ETag");
      if (number == null || etag == null) {
        throw S3Exception.malformedXml();
      }
      try {
        parts.add(Map.entry(Integer.parseInt(number.strip()), etag));
      } catch (NumberFormatException e) {
        throw S3Exception.malformedXml();
      }
    }
    return parts;
  }

  private static int partNumber(S3Query query) {
    try {
      int number = Integer.parseInt(query.getOrEmpty("partNumber"));
      if (number >= 1 && number <= 10_000) {
        return number;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw S3Exception.invalidArgument(
        "Part number must be an integer between 1 and 10000, inclusive");
  }
}
