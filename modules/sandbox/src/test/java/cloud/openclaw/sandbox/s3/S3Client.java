package cloud.openclaw.sandbox.s3;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** A test's S3 client: signs requests with SigV4 in the header, or presigns URLs. */
final class S3Client {
  private final HttpClient http;
  private final String base;
  private final String host;
  private final String accessKey;
  private final String secretKey;
  private final String region;

  S3Client(String scheme, String host, int port, S3Settings settings, SSLContext tls) {
    this(scheme, host, port, settings.accessKey(), settings.secretKey(), settings.region(), tls);
  }

  S3Client(
      String scheme,
      String host,
      int port,
      String accessKey,
      String secretKey,
      String region,
      SSLContext tls) {
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
    this.base = scheme + "://" + host + ":" + port;
    this.host = host + ":" + port;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.region = region;
  }

  HttpResponse<byte[]> send(String method, String path, String query, byte[] body) {
    return send(method, path, query, body, Map.of(), Instant.now());
  }

  /**
   * Sends a header-signed request; {@code headers} (lower-case names) are signed too. Body null:
   * none, hashed as the empty string.
   */
  HttpResponse<byte[]> send(
      String method,
      String path,
      String query,
      byte[] body,
      Map<String, String> headers,
      Instant at) {
    byte[] payload = body == null ? new byte[0] : body;
    String amzDate = SigV4.AMZ_DATE.format(at.atOffset(ZoneOffset.UTC));
    Map<String, String> signed = new LinkedHashMap<>();
    signed.put("host", host);
    signed.put("x-amz-date", amzDate);
    signed.putIfAbsent("x-amz-content-sha256", Digests.hex(Digests.sha256(payload)));
    signed.putAll(headers);
    String scope = amzDate.substring(0, 8) + "/" + region + "/s3/aws4_request";
    List<String> names = new ArrayList<>(signed.keySet());
    String signature =
        sign(
            method, path, query, signed, names, signed.get("x-amz-content-sha256"), amzDate, scope);
    String authorization =
        "AWS4-HMAC-SHA256 Credential="
            + accessKey
            + "/"
            + scope
            + ", SignedHeaders="
            + String.join(";", names.stream().sorted().toList())
            + ", Signature="
            + signature;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path + (query.isEmpty() ? "" : "?" + query)))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Authorization", authorization);
    signed.forEach(
        (name, value) -> {
          if (!name.equals("host")) {
            request.header(name, value);
          }
        });
    return exchange(request.build());
  }

  /** A presigned URL of {@code method} on {@code path}, valid {@code seconds} from {@code at}. */
  String presign(String method, String path, Instant at, long seconds) {
    String amzDate = SigV4.AMZ_DATE.format(at.atOffset(ZoneOffset.UTC));
    String scope = amzDate.substring(0, 8) + "/" + region + "/s3/aws4_request";
    String query =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
            + UriEncoding.uriEncode(accessKey + "/" + scope, true)
            + "&X-Amz-Date="
            + amzDate
            + "&X-Amz-Expires="
            + seconds
            + "&X-Amz-SignedHeaders=host";
    String signature =
        sign(
            method,
            path,
            query,
            Map.of("host", host),
            List.of("host"),
            "UNSIGNED-PAYLOAD",
            amzDate,
            scope);
    return base + path + "?" + query + "&X-Amz-Signature=" + signature;
  }

  HttpResponse<byte[]> send(String method, String url, byte[] body) {
    return exchange(
        HttpRequest.newBuilder(URI.create(url))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private HttpResponse<byte[]> exchange(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String sign(
      String method,
      String path,
      String query,
      Map<String, String> headers,
      List<String> names,
      String payloadHash,
      String amzDate,
      String scope) {
    String canonical =
        CanonicalRequest.of(
            method, path, S3Query.parse(query).params(), headers::get, names, payloadHash);
    String toSign =
        "AWS4-HMAC-SHA256\n"
            + amzDate
            + "\n"
            + scope
            + "\n"
            + Digests.hex(Digests.sha256(canonical));
    byte[] key =
        Digests.hmac(
            ("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), amzDate.substring(0, 8));
    key = Digests.hmac(key, region);
    key = Digests.hmac(key, "s3");
    key = Digests.hmac(key, "aws4_request");
    return Digests.hex(Digests.hmac(key, toSign));
  }

  static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
