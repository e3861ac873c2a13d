package cloud.openclaw.sandbox.s3;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

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
  private static final Logger LOG = Logger.getLogger(S3StandIn.class.getName());
  private static final String XML_NS = "http://s3.amazonaws.com/doc/2006-03-01/";
  private static final String XML_HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  private static final HeaderName REQUEST_ID = HeaderNames.create("x-amz-request-id");
  private static final HeaderName CONTENT_MD5 = HeaderNames.create("Content-MD5");
  private static final int MAX_KEYS = 1000;
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /**
   * S3's Last-Modified: the day always two digits (RFC 1123's formatter of the JDK writes "3 Dec";
   * pgBackRest reads the date by position and fails on that).
   */
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private final S3Store store;
  private final SigV4 sigV4;
  private final java.util.concurrent.atomic.AtomicInteger slowDowns =
      new java.util.concurrent.atomic.AtomicInteger();

  public S3StandIn(S3Settings settings) {
    this(settings, Clock.systemUTC());
  }

  public S3StandIn(S3Settings settings, Clock clock) {
    this.store = new S3Store(clock, settings.minPartSize(), settings.buckets());
    this.sigV4 = new SigV4(settings, clock);
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

  private void handle(ServerRequest request, ServerResponse response) {
    String requestId = HexFormat.of().withUpperCase().formatHex(randomBytes(8));
    response.header(REQUEST_ID, requestId);
    String method = request.prologue().method().text();
    try {
      if (slowDowns.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new S3Exception(503, "SlowDown", "Please reduce your request rate.", null);
      }
      String rawPath = request.path().rawPath();
      List<Map.Entry<String, String>> signed = query(request.query().rawValue());
      String payloadHash = sigV4.verify(method, rawPath, signed, name -> header(request, name));
      // The presigned URL's own parameters are not the operation's.
      List<Map.Entry<String, String>> query =
          signed.stream().filter(p -> !p.getKey().startsWith("X-Amz-")).toList();
      byte[] body =
          request.content().hasEntity()
              ? request.content().inputStream().readAllBytes()
              : new byte[0];
      checkBody(request, payloadHash, body);
      String path = SigV4.percentDecode(rawPath);
      String trimmed = path.startsWith("/") ? path.substring(1) : path;
      int slash = trimmed.indexOf('/');
      String bucket = slash < 0 ? trimmed : trimmed.substring(0, slash);
      String key = slash < 0 ? "" : trimmed.substring(slash + 1);
      if (bucket.isEmpty()) {
        throw notImplemented();
      }
      if (key.isEmpty()) {
        bucketOperation(method, bucket, query, body, request, response);
      } else {
        objectOperation(method, bucket, key, query, body, request, response);
      }
    } catch (S3Exception e) {
      sendError(response, method, e, requestId);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void bucketOperation(
      String method,
      String bucket,
      List<Map.Entry<String, String>> query,
      byte[] body,
      ServerRequest request,
      ServerResponse response) {
    switch (method) {
      case "GET" -> {
        if (!"2".equals(param(query, "list-type"))) {
          throw notImplemented();
        }
        list(bucket, query, response);
      }
      case "HEAD" -> {
        if (!store.bucketExists(bucket)) {
          throw S3Exception.noSuchBucket(bucket);
        }
        response.status(Status.OK_200).send();
      }
      case "PUT" -> {
        if (!query.isEmpty()) {
          throw notImplemented();
        }
        if (!store.createBucket(bucket)) {
          throw new S3Exception(
              409,
              "BucketAlreadyOwnedByYou",
              "The bucket you tried to create already exists, and you own it.",
              bucket);
        }
        response.header(HeaderNames.LOCATION, "/" + bucket).status(Status.OK_200).send();
      }
      case "POST" -> {
        if (!has(query, "delete")) {
          throw notImplemented();
        }
        deleteObjects(bucket, body, request, response);
      }
      default -> throw notImplemented();
    }
  }

  private void objectOperation(
      String method,
      String bucket,
      String key,
      List<Map.Entry<String, String>> query,
      byte[] body,
      ServerRequest request,
      ServerResponse response) {
    String uploadId = param(query, "uploadId");
    switch (method) {
      case "PUT" -> {
        if (header(request, "x-amz-copy-source") != null) {
          throw notImplemented();
        }
        if (header(request, "content-length") == null) {
          // S3 takes no chunked PutObject or UploadPart (aws-chunked is another thing).
          throw new S3Exception(
              411,
              "MissingContentLength",
              "You must provide the Content-Length HTTP header.",
              null);
        }
        S3Store.S3Object stored;
        if (uploadId != null) {
          stored = store.putPart(bucket, key, uploadId, partNumber(query), body);
        } else if (query.isEmpty()) {
          stored = store.put(bucket, key, body);
        } else {
          throw notImplemented();
        }
        response.header(HeaderNames.ETAG, stored.etag()).status(Status.OK_200).send();
      }
      case "GET" -> {
        if (!onlyResponseOverrides(query)) {
          throw notImplemented();
        }
        get(store.get(bucket, key), request, response, true);
      }
      case "HEAD" -> get(store.get(bucket, key), request, response, false);
      case "DELETE" -> {
        if (uploadId != null) {
          store.abort(bucket, key, uploadId);
        } else if (query.isEmpty()) {
          store.delete(bucket, key);
        } else {
          throw notImplemented();
        }
        response.status(Status.NO_CONTENT_204).send();
      }
      case "POST" -> {
        if (has(query, "uploads")) {
          String id = store.createUpload(bucket, key);
          sendXml(
              response,
              "<InitiateMultipartUploadResult xmlns=\""
                  + XML_NS
                  + "\"><Bucket>"
                  + xml(bucket)
                  + "</Bucket><Key>"
                  + xml(key)
                  + "</Key><UploadId>"
                  + id
                  + "</UploadId></InitiateMultipartUploadResult>");
        } else if (uploadId != null) {
          S3Store.S3Object done = store.complete(bucket, key, uploadId, parts(body));
          sendXml(
              response,
              "<CompleteMultipartUploadResult xmlns=\""
                  + XML_NS
                  + "\"><Location>/"
                  + xml(bucket)
                  + "/"
                  + xml(key)
                  + "</Location><Bucket>"
                  + xml(bucket)
                  + "</Bucket><Key>"
                  + xml(key)
                  + "</Key><ETag>"
                  + xml(done.etag())
                  + "</ETag></CompleteMultipartUploadResult>");
        } else {
          throw notImplemented();
        }
      }
      default -> throw notImplemented();
    }
  }

  private static void get(
      S3Store.S3Object object, ServerRequest request, ServerResponse response, boolean withBody) {
    byte[] data = object.data();
    response.header(HeaderNames.ETAG, object.etag());
    response.header(HeaderNames.LAST_MODIFIED, HTTP_DATE.format(object.lastModified()));
    response.header(HeaderNames.ACCEPT_RANGES, "bytes");
    response.header(HeaderNames.CONTENT_TYPE, "binary/octet-stream");
    String range = withBody ? header(request, "range") : null;
    if (range != null) {
      long[] span = range(range, data.length);
      if (span != null) {
        response.header(
            HeaderNames.CONTENT_RANGE, "bytes " + span[0] + "-" + span[1] + "/" + data.length);
        response.status(Status.PARTIAL_CONTENT_206);
        response.send(java.util.Arrays.copyOfRange(data, (int) span[0], (int) span[1] + 1));
        return;
      }
    }
    response.status(Status.OK_200);
    if (withBody) {
      response.send(data);
    } else {
      response.header(HeaderNames.CONTENT_LENGTH, Long.toString(data.length));
      response.send();
    }
  }

  /**
   * A single {@code bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffix}; null for a
   * header S3 ignores (several ranges, another unit, nonsense), which gets the whole object.
   */
  private static long[] range(String header, long size) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("bytes=(\\d*)-(\\d*)").matcher(header.strip());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return null;
    }
    long first;
    long last;
    if (m.group(1).isEmpty()) {
      long suffix = Long.parseLong(m.group(2));
      if (suffix == 0) {
        throw invalidRange();
      }
      first = Math.max(0, size - suffix);
      last = size - 1;
    } else {
      first = Long.parseLong(m.group(1));
      last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
      if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
        return null;
      }
    }
    if (first >= size) {
      throw invalidRange();
    }
    return new long[] {first, last};
  }

  private static S3Exception invalidRange() {
    return new S3Exception(416, "InvalidRange", "The requested range is not satisfiable", null);
  }

  private void list(String bucket, List<Map.Entry<String, String>> query, ServerResponse response) {
    String prefix = orEmpty(param(query, "prefix"));
    String delimiter = orEmpty(param(query, "delimiter"));
    String startAfter = param(query, "start-after");
    String token = param(query, "continuation-token");
    int maxKeys = MAX_KEYS;
    String rawMax = param(query, "max-keys");
    if (rawMax != null) {
      try {
        maxKeys = Math.min(MAX_KEYS, Integer.parseInt(rawMax));
      } catch (NumberFormatException e) {
        maxKeys = -1;
      }
      if (maxKeys < 0) {
        throw S3Exception.invalidArgument(
            "Provided max-keys not an integer or within integer range");
      }
    }
    String after = startAfter;
    if (token != null) {
      try {
        after = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw S3Exception.invalidArgument("The continuation token provided is incorrect");
      }
    }
    S3Store.Listing page = store.list(bucket, prefix, delimiter, after, maxKeys);
    StringBuilder xml = new StringBuilder();
    xml.append("<ListBucketResult xmlns=\"").append(XML_NS).append("\">");
    xml.append("<Name>").append(xml(bucket)).append("</Name>");
    xml.append("<Prefix>").append(xml(prefix)).append("</Prefix>");
    if (!delimiter.isEmpty()) {
      xml.append("<Delimiter>").append(xml(delimiter)).append("</Delimiter>");
    }
    xml.append("<MaxKeys>").append(maxKeys).append("</MaxKeys>");
    xml.append("<KeyCount>")
        .append(page.contents().size() + page.prefixes().size())
        .append("</KeyCount>");
    xml.append("<IsTruncated>").append(page.next() != null).append("</IsTruncated>");
    if (token != null) {
      xml.append("<ContinuationToken>").append(xml(token)).append("</ContinuationToken>");
    }
    if (page.next() != null) {
      xml.append("<NextContinuationToken>")
          .append(
              Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(page.next().getBytes(StandardCharsets.UTF_8)))
          .append("</NextContinuationToken>");
    }
    if (startAfter != null) {
      xml.append("<StartAfter>").append(xml(startAfter)).append("</StartAfter>");
    }
    for (Map.Entry<String, S3Store.S3Object> entry : page.contents()) {
      S3Store.S3Object object = entry.getValue();
      xml.append("<Contents><Key>")
          .append(xml(entry.getKey()))
          .append("</Key><LastModified>")
          .append(ISO_MILLIS.format(object.lastModified()))
          .append("</LastModified><ETag>")
          .append(xml(object.etag()))
          .append("</ETag><Size>")
          .append(object.data().length)
          .append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
    }
    for (String common : page.prefixes()) {
      xml.append("<CommonPrefixes><Prefix>")
          .append(xml(common))
          .append("</Prefix></CommonPrefixes>");
    }
    xml.append("</ListBucketResult>");
    sendXml(response, xml.toString());
  }

  private void deleteObjects(
      String bucket, byte[] body, ServerRequest request, ServerResponse response) {
    if (header(request, "content-md5") == null
        && header(request, "x-amz-checksum-crc32") == null
        && header(request, "x-amz-checksum-crc32c") == null
        && header(request, "x-amz-checksum-sha1") == null
        && header(request, "x-amz-checksum-sha256") == null) {
      throw S3Exception.invalidRequest("Missing required header for this request: Content-Md5.");
    }
    if (!store.bucketExists(bucket)) {
      throw S3Exception.noSuchBucket(bucket);
    }
    Element root = parse(body, "Delete");
    boolean quiet = "true".equalsIgnoreCase(childText(root, "Quiet"));
    List<String> keys = new ArrayList<>();
    for (Element object : children(root, "Object")) {
      String key = childText(object, "Key");
      if (key == null) {
        throw S3Exception.malformedXml();
      }
      keys.add(key);
    }
    if (keys.isEmpty() || keys.size() > MAX_KEYS) {
      throw S3Exception.malformedXml();
    }
    StringBuilder xml = new StringBuilder("<DeleteResult xmlns=\"" + XML_NS + "\">");
    for (String key : keys) {
      store.delete(bucket, key);
      if (!quiet) {
        xml.append("<Deleted><Key>").append(xml(key)).append("</Key></Deleted>");
      }
    }
    xml.append("</DeleteResult>");
    sendXml(response, xml.toString());
  }

  private static List<Map.Entry<Integer, String>> parts(byte[] body) {
    Element root = parse(body, "CompleteMultipartUpload");
    List<Map.Entry<Integer, String>> parts = new ArrayList<>();
    for (Element part : children(root, "Part")) {
      String number = childText(part, "PartNumber");
      String etag = childText(part, "ETag");
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

  private static int partNumber(List<Map.Entry<String, String>> query) {
    try {
      int number = Integer.parseInt(orEmpty(param(query, "partNumber")));
      if (number >= 1 && number <= 10_000) {
        return number;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw S3Exception.invalidArgument(
        "Part number must be an integer between 1 and 10000, inclusive");
  }

  /** Content-MD5 and a hex x-amz-content-sha256 must be those of the body that came. */
  private static void checkBody(ServerRequest request, String payloadHash, byte[] body) {
    if (!payloadHash.equals(SigV4.UNSIGNED_PAYLOAD)
        && !payloadHash.equals(SigV4.hex(SigV4.sha256(body)))) {
      throw new S3Exception(
          400,
          "XAmzContentSHA256Mismatch",
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          null);
    }
    String md5 = header(request, "content-md5");
    if (md5 != null) {
      byte[] declared;
      try {
        declared = Base64.getDecoder().decode(md5.strip());
      } catch (IllegalArgumentException e) {
        declared = new byte[0];
      }
      if (declared.length != 16) {
        throw new S3Exception(
            400, "InvalidDigest", "The Content-MD5 you specified was invalid.", null);
      }
      if (!MessageDigest.isEqual(declared, S3Store.md5(body))) {
        throw new S3Exception(
            400,
            "BadDigest",
            "The Content-MD5 you specified did not match what we received.",
            null);
      }
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
    xml.append(e.code())
        .append("</Code><Message>")
        .append(xml(e.getMessage()))
        .append("</Message>");
    if (e.resource() != null) {
      String element =
          switch (e.code()) {
            case "NoSuchKey" -> "Key";
            case "NoSuchBucket", "BucketAlreadyOwnedByYou" -> "BucketName";
            case "NoSuchUpload" -> "UploadId";
            default -> "Resource";
          };
      xml.append('<').append(element).append('>').append(xml(e.resource()));
      xml.append("</").append(element).append('>');
    }
    xml.append("<RequestId>").append(requestId).append("</RequestId>");
    xml.append("<HostId>").append(requestId).append("</HostId></Error>");
    sendXml(response, xml.toString());
  }

  private static void sendXml(ServerResponse response, String body) {
    response.header(HeaderNames.CONTENT_TYPE, "application/xml");
    response.send((XML_HEAD + body).getBytes(StandardCharsets.UTF_8));
  }

  private static Element parse(byte[] body, String rootName) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document document = factory.newDocumentBuilder().parse(new ByteArrayInputStream(body));
      Element root = document.getDocumentElement();
      if (!rootName.equals(root.getLocalName())) {
        throw S3Exception.malformedXml();
      }
      return root;
    } catch (S3Exception e) {
      throw e;
    } catch (Exception e) {
      throw S3Exception.malformedXml();
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element element && name.equals(element.getLocalName())) {
        found.add(element);
      }
    }
    return found;
  }

  private static String childText(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0).getTextContent();
  }

  /** The raw query's parameters, decoded, in order; a name without '=' has the value "". */
  static List<Map.Entry<String, String>> query(String raw) {
    List<Map.Entry<String, String>> params = new ArrayList<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.add(Map.entry(SigV4.percentDecode(name), SigV4.percentDecode(value)));
    }
    return params;
  }

  /** Only response-* overrides (response-content-type...) or nothing: a plain GetObject. */
  private static boolean onlyResponseOverrides(List<Map.Entry<String, String>> query) {
    return query.stream().allMatch(p -> p.getKey().startsWith("response-"));
  }

  private static String header(ServerRequest request, String lowerCaseName) {
    HeaderName name = HeaderNames.create(lowerCaseName);
    if (!request.headers().contains(name)) {
      return null;
    }
    return String.join(",", request.headers().get(name).allValues());
  }

  private static String param(List<Map.Entry<String, String>> query, String name) {
    return query.stream()
        .filter(p -> p.getKey().equals(name))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  private static boolean has(List<Map.Entry<String, String>> query, String name) {
    return param(query, name) != null;
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }

  private static S3Exception notImplemented() {
    return new S3Exception(
        501,
        "NotImplemented",
        "A header or query you provided implies functionality that is not implemented.",
        null);
  }

  static String xml(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&apos;");
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
