package cloud.openclaw.sandbox.s3;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A signed request taken apart: path-style {@code /<bucket>/<key>}, the operation's query, the body
 * (checked against the digests that came with it).
 */
record S3Request(
    String method, String bucket, String key, S3Query query, byte[] body, ServerRequest http) {

  /** Checks the signature and the body's digests, or throws the S3 error a real bucket answers. */
  static S3Request read(ServerRequest http, SigV4 sigV4) {
    String method = http.prologue().method().text();
    String rawPath = http.path().rawPath();
    S3Query signed = S3Query.parse(http.query().rawValue());
    String payloadHash = sigV4.verify(method, rawPath, signed.params(), name -> header(http, name));
    byte[] body = readBody(http);
    checkBody(http, payloadHash, body);
    String path = UriEncoding.percentDecode(rawPath);
    String trimmed = path.startsWith("/") ? path.substring(1) : path;
    int slash = trimmed.indexOf('/');
    String bucket = slash < 0 ? trimmed : trimmed.substring(0, slash);
    String key = slash < 0 ? "" : trimmed.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw S3Exception.notImplemented();
    }
    return new S3Request(method, bucket, key, signed.withoutPresigning(), body, http);
  }

  /** A header by lower-case name, all its values joined with ",", or null. */
  String header(String lowerCaseName) {
    return header(http, lowerCaseName);
  }

  String uploadId() {
    return query.get("uploadId");
  }

  private static String header(ServerRequest http, String lowerCaseName) {
    HeaderName name = HeaderNames.create(lowerCaseName);
    if (!http.headers().contains(name)) {
      return null;
    }
    return String.join(",", http.headers().get(name).allValues());
  }

  private static byte[] readBody(ServerRequest http) {
    try {
      return http.content().hasEntity() ? http.content().inputStream().readAllBytes() : new byte[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Content-MD5 and a hex x-amz-content-sha256 must be those of the body that came. */
  private static void checkBody(ServerRequest http, String payloadHash, byte[] body) {
    if (!payloadHash.equals(SigV4.UNSIGNED_PAYLOAD)
        && !payloadHash.equals(Digests.hex(Digests.sha256(body)))) {
      throw new S3Exception(
          400,
          "XAmzContentSHA256Mismatch",
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          null);
    }
    String md5 = header(http, "content-md5");
    if (md5 == null) {
      return;
    }
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
          400, "BadDigest", "The Content-MD5 you specified did not match what we received.", null);
    }
  }
}
