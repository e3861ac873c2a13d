package cloud.openclaw.sandbox.s3;

import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * ListObjectsV2 ({@code list-type=2}): prefix, delimiter, continuation-token, start-after,
 * max-keys. The continuation token is the last key listed, base64url.
 */
final class ObjectListing {
  static final int MAX_KEYS = 1000;
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final S3Store store;

  ObjectListing(S3Store store) {
    this.store = store;
  }

  void list(S3Request request, ServerResponse response) {
    S3Query query = request.query();
    if (!"2".equals(query.get("list-type"))) {
      throw S3Exception.notImplemented();
    }
    String bucket = request.bucket();
    String prefix = query.getOrEmpty("prefix");
    String delimiter = query.getOrEmpty("delimiter");
    String startAfter = query.get("start-after");
    String token = query.get("continuation-token");
    int maxKeys = maxKeys(query.get("max-keys"));
    String after = token == null ? startAfter : decodeToken(token);
    S3Store.Listing page = store.list(bucket, prefix, delimiter, after, maxKeys);
    StringBuilder xml = new StringBuilder();
    xml.append("<ListBucketResult xmlns=\"").append(S3Xml.NS).append("\">");
    xml.append(S3Xml.element("Name", bucket));
    xml.append(S3Xml.element("Prefix", prefix));
    if (!delimiter.isEmpty()) {
      xml.append(S3Xml.element("Delimiter", delimiter));
    }
    xml.append("<MaxKeys>").append(maxKeys).append("</MaxKeys>");
    xml.append("<KeyCount>")
        .append(page.contents().size() + page.prefixes().size())
        .append("</KeyCount>");
    xml.append("<IsTruncated>").append(page.next() != null).append("</IsTruncated>");
    if (token != null) {
      xml.append(S3Xml.element("ContinuationToken", token));
    }
    if (page.next() != null) {
      xml.append(S3Xml.element("NextContinuationToken", encodeToken(page.next())));
    }
    if (startAfter != null) {
      xml.append(S3Xml.element("StartAfter", startAfter));
    }
    for (Map.Entry<String, S3Store.S3Object> entry : page.contents()) {
      S3Store.S3Object object = entry.getValue();
      xml.append("<Contents>")
          .append(S3Xml.element("Key", entry.getKey()))
          .append("<LastModified>")
          .append(ISO_MILLIS.format(object.lastModified()))
          .append("</LastModified>")
          .append(S3Xml.element("ETag", object.etag()))
          .append("<Size>")
          .append(object.data().length)
          .append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
    }
    for (String common : page.prefixes()) {
      xml.append("<CommonPrefixes>")
          .append(S3Xml.element("Prefix", common))
          .append("</CommonPrefixes>");
    }
    xml.append("</ListBucketResult>");
    S3Xml.send(response, xml.toString());
  }

  private static int maxKeys(String raw) {
    if (raw == null) {
      return MAX_KEYS;
    }
    int maxKeys;
    try {
      maxKeys = Math.min(MAX_KEYS, Integer.parseInt(raw));
    } catch (NumberFormatException e) {
      maxKeys = -1;
    }
    if (maxKeys < 0) {
      throw S3Exception.invalidArgument("Provided max-keys not an integer or within integer range");
    }
    return maxKeys;
  }

  private static String decodeToken(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw S3Exception.invalidArgument("The continuation token provided is incorrect");
    }
  }

  private static String encodeToken(String lastKey) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
  }
}
