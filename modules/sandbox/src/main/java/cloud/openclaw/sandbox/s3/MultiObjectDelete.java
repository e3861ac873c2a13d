package cloud.openclaw.sandbox.s3;

import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import org.w3c.dom.Element;

/** DeleteObjects ({@code POST ?delete}): up to 1000 keys, Content-MD5 (or a checksum) required. */
final class MultiObjectDelete {
  private static final List<String> INTEGRITY_HEADERS =
      List.of(
          "content-md5",
          "x-amz-checksum-crc32",
          "x-amz-checksum-crc32c",
          "x-amz-checksum-sha1",
          "x-amz-checksum-sha256");

  private final S3Store store;

  MultiObjectDelete(S3Store store) {
    this.store = store;
  }

  void delete(S3Request request, ServerResponse response) {
    if (INTEGRITY_HEADERS.stream().allMatch(name -> request.header(name) == null)) {
      throw S3Exception.invalidRequest("Missing required header for this request: Content-Md5.");
    }
    String bucket = request.bucket();
    if (!store.bucketExists(bucket)) {
      throw S3Exception.noSuchBucket(bucket);
    }
    Element root = S3Xml.parse(request.body(), "Delete");
    boolean quiet = "true".equalsIgnoreCase(S3Xml.childText(root, "Quiet"));
    List<String> keys = keys(root);
    StringBuilder xml = new StringBuilder("<DeleteResult xmlns=\"" + S3Xml.NS + "\">");
    for (String key : keys) {
      store.delete(bucket, key);
      if (!quiet) {
        xml.append("<Deleted>").append(S3Xml.element("Key", key)).append("</Deleted>");
      }
    }
    xml.append("</DeleteResult>");
    S3Xml.send(response, xml.toString());
  }

  private static List<String> keys(Element root) {
    List<String> keys = new ArrayList<>();
    for (Element object : S3Xml.children(root, "Object")) {
      String key = S3Xml.childText(object, "Key");
      if (key == null) {
        throw S3Exception.malformedXml();
      }
      keys.add(key);
    }
    if (keys.isEmpty() || keys.size() > ObjectListing.MAX_KEYS) {
      throw S3Exception.malformedXml();
    }
    return keys;
  }
}
