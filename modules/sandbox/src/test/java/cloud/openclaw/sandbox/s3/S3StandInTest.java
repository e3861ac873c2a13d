package cloud.openclaw.sandbox.s3;

import static cloud.openclaw.sandbox.s3.S3Client.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.sandbox.Main;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3StandInTest {
  private static final S3Settings SETTINGS = S3Settings.defaults().withBuckets("backups");

  private S3Server server;
  private S3Client s3;

  @BeforeEach
  void start() {
    server = S3Server.start(new S3StandIn(SETTINGS), "127.0.0.1", 0, null);
    s3 = new S3Client("http", "127.0.0.1", server.port(), SETTINGS, null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  // AWS' own examples (Signature Version 4, "Examples: Signature Calculations"): the verifier
  // accepts the signatures AWS documents for them, and nothing else.
  private static final S3Settings AWS_EXAMPLE =
      new S3Settings(
          "AKIAIOSFODNN7EXAMPLE",
          "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          "us-east-1",
          List.of(),
          S3Settings.AWS_MIN_PART_SIZE);
  private static final Instant AWS_EXAMPLE_TIME = Instant.parse("2013-05-24T00:00:00Z");

  @Test
  void awsDocumentedHeaderSignatureIsAcceptedAndAChangedOneIsNot() {
    Map<String, String> headers = new HashMap<>();
    headers.put("host", "examplebucket.s3.amazonaws.com");
    headers.put("range", "bytes=0-9");
    headers.put("x-amz-content-sha256", SigV4.EMPTY_SHA256);
    headers.put("x-amz-date", "20130524T000000Z");
    headers.put(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    SigV4 sigV4 = new SigV4(AWS_EXAMPLE, Clock.fixed(AWS_EXAMPLE_TIME, ZoneOffset.UTC));

    assertThat(sigV4.verify("GET", "/test.txt", List.of(), headers::get))
        .isEqualTo(SigV4.EMPTY_SHA256);

    headers.put("range", "bytes=0-10");
    assertThatThrownBy(() -> sigV4.verify("GET", "/test.txt", List.of(), headers::get))
        .extracting(e -> ((S3Exception) e).code())
        .isEqualTo("SignatureDoesNotMatch");
  }

  @Test
  void awsDocumentedPresignedUrlIsAcceptedUntilItExpires() {
    String rawQuery =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    Map<String, String> headers = Map.of("host", "examplebucket.s3.amazonaws.com");

    SigV4 inTime =
        new SigV4(AWS_EXAMPLE, Clock.fixed(AWS_EXAMPLE_TIME.plusSeconds(86_400), ZoneOffset.UTC));
    assertThat(inTime.verify("GET", "/test.txt", S3Query.parse(rawQuery).params(), headers::get))
        .isEqualTo(SigV4.UNSIGNED_PAYLOAD);

    SigV4 late =
        new SigV4(AWS_EXAMPLE, Clock.fixed(AWS_EXAMPLE_TIME.plusSeconds(86_401), ZoneOffset.UTC));
    assertThatThrownBy(
            () -> late.verify("GET", "/test.txt", S3Query.parse(rawQuery).params(), headers::get))
        .hasMessage("Request has expired")
        .extracting(e -> ((S3Exception) e).code())
        .isEqualTo("AccessDenied");

    assertThatThrownBy(
            () -> inTime.verify("PUT", "/test.txt", S3Query.parse(rawQuery).params(), headers::get))
        .extracting(e -> ((S3Exception) e).code())
        .isEqualTo("SignatureDoesNotMatch");
  }

  @Test
  void anObjectIsPutReadHeadedAndDeletedWithItsMd5AsETag() {
    byte[] data = "hello, bucket".getBytes(StandardCharsets.UTF_8);
    String etag = "\"" + HexFormat.of().formatHex(S3Store.md5(data)) + "\"";

    HttpResponse<byte[]> put =
        s3.send(
            "PUT",
            "/backups/postgres/archive/a%20b%2Bc.txt",
            "",
            data,
            Map.of("content-md5", Base64.getEncoder().encodeToString(S3Store.md5(data))),
            Instant.now());
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(put.headers().firstValue("ETag")).contains(etag);

    HttpResponse<byte[]> get = s3.send("GET", "/backups/postgres/archive/a%20b%2Bc.txt", "", null);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(data);
    assertThat(server.standIn().keys("backups")).containsExactly("postgres/archive/a b+c.txt");

    HttpResponse<byte[]> head =
        s3.send("HEAD", "/backups/postgres/archive/a%20b%2Bc.txt", "", null);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).contains(Integer.toString(data.length));
    assertThat(head.headers().firstValue("ETag")).contains(etag);
    // Two-digit day, as S3 sends it (pgBackRest parses the date by position).
    assertThat(head.headers().firstValue("Last-Modified").orElseThrow())
        .matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");

    HttpResponse<byte[]> range =
        s3.send(
            "GET",
            "/backups/postgres/archive/a%20b%2Bc.txt",
            "",
            null,
            Map.of("range", "bytes=7-12"),
            Instant.now());
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(text(range)).isEqualTo("bucket");
    assertThat(range.headers().firstValue("Content-Range")).contains("bytes 7-12/13");

    assertThat(s3.send("DELETE", "/backups/postgres/archive/a%20b%2Bc.txt", "", null).statusCode())
        .isEqualTo(204);
    HttpResponse<byte[]> gone = s3.send("GET", "/backups/postgres/archive/a%20b%2Bc.txt", "", null);
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(text(gone))
        .contains("<Code>NoSuchKey</Code>")
        .contains("<Key>postgres/archive/a b+c.txt</Key>");
    assertThat(s3.send("HEAD", "/backups/postgres/archive/a%20b%2Bc.txt", "", null).statusCode())
        .isEqualTo(404);
    // Deleting what is not there succeeds, as in S3.
    assertThat(s3.send("DELETE", "/backups/nothing", "", null).statusCode()).isEqualTo(204);
  }

  @Test
  void refusalsHaveS3sStatusAndCode() {
    HttpResponse<byte[]> noBucket = s3.send("GET", "/elsewhere/key", "", null);
    assertThat(noBucket.statusCode()).isEqualTo(404);
    assertThat(text(noBucket)).contains("<Code>NoSuchBucket</Code>");

    S3Client wrongSecret =
        new S3Client(
            "http",
            "127.0.0.1",
            server.port(),
            SETTINGS.accessKey(),
            "guess",
            SETTINGS.region(),
            null);
    HttpResponse<byte[]> forged = wrongSecret.send("GET", "/backups/key", "", null);
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(text(forged)).contains("<Code>SignatureDoesNotMatch</Code>");

    S3Client wrongKey =
        new S3Client(
            "http",
            "127.0.0.1",
            server.port(),
            "AKIAOTHER",
            SETTINGS.secretKey(),
            SETTINGS.region(),
            null);
    assertThat(text(wrongKey.send("GET", "/backups/key", "", null)))
        .contains("<Code>InvalidAccessKeyId</Code>");

    HttpResponse<byte[]> anonymous =
        s3.send(
            "GET",
            s3.presign("GET", "/backups/key", Instant.now(), 60).replaceAll("\\?.*", ""),
            null);
    assertThat(anonymous.statusCode()).isEqualTo(403);
    assertThat(text(anonymous)).contains("<Code>AccessDenied</Code>");

    HttpResponse<byte[]> lying =
        s3.send(
            "PUT",
            "/backups/key",
            "",
            "what came".getBytes(StandardCharsets.UTF_8),
            Map.of("x-amz-content-sha256", Digests.hex(Digests.sha256("what was signed"))),
            Instant.now());
    assertThat(lying.statusCode()).isEqualTo(400);
    assertThat(text(lying)).contains("<Code>XAmzContentSHA256Mismatch</Code>");

    HttpResponse<byte[]> badMd5 =
        s3.send(
            "PUT",
            "/backups/key",
            "",
            "data".getBytes(StandardCharsets.UTF_8),
            Map.of("content-md5", Base64.getEncoder().encodeToString(S3Store.md5(new byte[1]))),
            Instant.now());
    assertThat(badMd5.statusCode()).isEqualTo(400);
    assertThat(text(badMd5)).contains("<Code>BadDigest</Code>");

    HttpResponse<byte[]> old =
        s3.send("GET", "/backups/key", "", null, Map.of(), Instant.now().minusSeconds(3600));
    assertThat(old.statusCode()).isEqualTo(403);
    assertThat(text(old)).contains("<Code>RequestTimeTooSkewed</Code>");

    S3Client otherRegion =
        new S3Client(
            "http",
            "127.0.0.1",
            server.port(),
            SETTINGS.accessKey(),
            SETTINGS.secretKey(),
            "eu-west-1",
            null);
    assertThat(otherRegion.send("GET", "/backups/key", "", null).statusCode()).isEqualTo(400);

    assertThat(server.standIn().keys("backups")).isEmpty();
  }

  @Test
  void throttlingAndChunkedPutsAreRefusedAsS3RefusesThem() {
    server.standIn().slowDown(1);
    HttpResponse<byte[]> throttled = s3.send("GET", "/backups/key", "", null);
    assertThat(throttled.statusCode()).isEqualTo(503);
    assertThat(text(throttled)).contains("<Code>SlowDown</Code>");
    assertThat(s3.send("GET", "/backups/key", "", null).statusCode()).isEqualTo(404);

    String put = s3.presign("PUT", "/backups/chunked", Instant.now(), 60);
    HttpResponse<byte[]> chunked =
        exchange(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(put))
                .PUT(
                    java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(new byte[] {1, 2})))
                .build());
    assertThat(chunked.statusCode()).isEqualTo(411);
    assertThat(text(chunked)).contains("<Code>MissingContentLength</Code>");
  }

  private static HttpResponse<byte[]> exchange(java.net.http.HttpRequest request) {
    try {
      return java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1)
          .build()
          .send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void unsignedPayloadIsAcceptedInTheHeader() {
    HttpResponse<byte[]> put =
        s3.send(
            "PUT",
            "/backups/unsigned",
            "",
            "body".getBytes(StandardCharsets.UTF_8),
            Map.of("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
            Instant.now());
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(server.standIn().object("backups", "unsigned")).asString().isEqualTo("body");
  }

  @Test
  void presignedUrlsPutAndGetUntilTheyExpire() {
    byte[] archive = "workspace.tar.gz".getBytes(StandardCharsets.UTF_8);
    String put = s3.presign("PUT", "/backups/workspaces/box-1.tar.gz", Instant.now(), 900);
    assertThat(s3.send("PUT", put, archive).statusCode()).isEqualTo(200);

    String get = s3.presign("GET", "/backups/workspaces/box-1.tar.gz", Instant.now(), 900);
    HttpResponse<byte[]> got = s3.send("GET", get, null);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(archive);

    // A GET URL does not PUT, and another key is another signature.
    assertThat(text(s3.send("PUT", get, archive))).contains("<Code>SignatureDoesNotMatch</Code>");
    assertThat(text(s3.send("GET", get.replace("box-1", "box-2"), null)))
        .contains("<Code>SignatureDoesNotMatch</Code>");

    String expired =
        s3.presign(
            "GET", "/backups/workspaces/box-1.tar.gz", Instant.now().minusSeconds(3600), 900);
    HttpResponse<byte[]> late = s3.send("GET", expired, null);
    assertThat(late.statusCode()).isEqualTo(403);
    assertThat(text(late))
        .contains("<Code>AccessDenied</Code>")
        .contains("<Message>Request has expired</Message>");
  }

  @Test
  void listingPagesThroughKeysAndRollsUpCommonPrefixes() {
    for (String key : List.of("a/1", "a/2", "b/1", "b/2/x", "c", "d", "e/1")) {
      assertThat(s3.send("PUT", "/backups/" + key, "", new byte[] {1}).statusCode()).isEqualTo(200);
    }

    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String query = "delimiter=%2F&list-type=2&max-keys=2";
      if (token != null) {
        query = "continuation-token=" + UriEncoding.uriEncode(token, true) + "&" + query;
      }
      HttpResponse<byte[]> page = s3.send("GET", "/backups", query, null);
      assertThat(page.statusCode()).isEqualTo(200);
      String xml = text(page);
      seen.addAll(all(xml, "<Key>(.*?)</Key>"));
      seen.addAll(all(xml, "<CommonPrefixes><Prefix>(.*?)</Prefix>"));
      assertThat(all(xml, "<KeyCount>(\\d+)</KeyCount>").get(0)).isIn("1", "2");
      List<String> next = all(xml, "<NextContinuationToken>(.*?)</NextContinuationToken>");
      token = next.isEmpty() ? null : next.get(0);
      assertThat(xml).contains("<IsTruncated>" + (token != null) + "</IsTruncated>");
      pages++;
    } while (token != null);
    assertThat(seen).containsExactlyInAnyOrder("a/", "b/", "c", "d", "e/");
    assertThat(pages).isEqualTo(3);

    String inB = text(s3.send("GET", "/backups/", "list-type=2&prefix=b%2F&delimiter=%2F", null));
    assertThat(all(inB, "<Key>(.*?)</Key>")).containsExactly("b/1");
    assertThat(all(inB, "<CommonPrefixes><Prefix>(.*?)</Prefix>")).containsExactly("b/2/");

    String afterC = text(s3.send("GET", "/backups", "list-type=2&start-after=c", null));
    assertThat(all(afterC, "<Key>(.*?)</Key>")).containsExactly("d", "e/1");
    assertThat(afterC).contains("<StartAfter>c</StartAfter>").contains("<Size>1</Size>");
  }

  @Test
  void multipartUploadJoinsItsPartsAndRefusesSmallOnesAndAbortedUploads() {
    String uploadXml = text(s3.send("POST", "/backups/big", "uploads", null));
    String uploadId = all(uploadXml, "<UploadId>(.*?)</UploadId>").get(0);
    byte[] first = new byte[(int) S3Settings.AWS_MIN_PART_SIZE];
    Arrays.fill(first, (byte) 'a');
    byte[] second = "tail".getBytes(StandardCharsets.UTF_8);
    HttpResponse<byte[]> part1 =
        s3.send("PUT", "/backups/big", "partNumber=1&uploadId=" + uploadId, first);
    HttpResponse<byte[]> part2 =
        s3.send("PUT", "/backups/big", "partNumber=2&uploadId=" + uploadId, second);
    assertThat(part1.statusCode()).isEqualTo(200);
    String etag1 = part1.headers().firstValue("ETag").orElseThrow();
    String etag2 = part2.headers().firstValue("ETag").orElseThrow();

    String outOfOrder = complete(List.of(etag2, etag1), List.of(2, 1));
    assertThat(text(s3.send("POST", "/backups/big", "uploadId=" + uploadId, bytes(outOfOrder))))
        .contains("<Code>InvalidPartOrder</Code>");
    String wrongTag = complete(List.of(etag2, etag2), List.of(1, 2));
    assertThat(text(s3.send("POST", "/backups/big", "uploadId=" + uploadId, bytes(wrongTag))))
        .contains("<Code>InvalidPart</Code>");

    HttpResponse<byte[]> done =
        s3.send(
            "POST",
            "/backups/big",
            "uploadId=" + uploadId,
            bytes(complete(List.of(etag1, etag2), List.of(1, 2))));
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(text(done)).containsPattern("<ETag>&quot;[0-9a-f]{32}-2&quot;</ETag>");
    byte[] whole = s3.send("GET", "/backups/big", "", null).body();
    assertThat(whole).hasSize(first.length + second.length);
    assertThat(Arrays.copyOfRange(whole, first.length, whole.length)).isEqualTo(second);
    assertThat(server.standIn().openUploads()).isZero();
    assertThat(server.standIn().completedUploads()).isEqualTo(1);
    // Completed: the upload is gone.
    assertThat(text(s3.send("PUT", "/backups/big", "partNumber=3&uploadId=" + uploadId, second)))
        .contains("<Code>NoSuchUpload</Code>");

    String small =
        all(text(s3.send("POST", "/backups/small", "uploads", null)), "<UploadId>(.*?)</UploadId>")
            .get(0);
    String s1 =
        s3.send("PUT", "/backups/small", "partNumber=1&uploadId=" + small, second)
            .headers()
            .firstValue("ETag")
            .orElseThrow();
    String s2 =
        s3.send("PUT", "/backups/small", "partNumber=2&uploadId=" + small, second)
            .headers()
            .firstValue("ETag")
            .orElseThrow();
    HttpResponse<byte[]> tooSmall =
        s3.send(
            "POST",
            "/backups/small",
            "uploadId=" + small,
            bytes(complete(List.of(s1, s2), List.of(1, 2))));
    assertThat(tooSmall.statusCode()).isEqualTo(400);
    assertThat(text(tooSmall)).contains("<Code>EntityTooSmall</Code>");

    assertThat(s3.send("DELETE", "/backups/small", "uploadId=" + small, null).statusCode())
        .isEqualTo(204);
    HttpResponse<byte[]> aborted = s3.send("DELETE", "/backups/small", "uploadId=" + small, null);
    assertThat(aborted.statusCode()).isEqualTo(404);
    assertThat(text(aborted)).contains("<Code>NoSuchUpload</Code>");
    assertThat(server.standIn().keys("backups")).containsExactly("big");
  }

  @Test
  void multiObjectDeleteNeedsContentMd5() {
    for (String key : List.of("x/1", "x/2", "y")) {
      s3.send("PUT", "/backups/" + key, "", new byte[] {1});
    }
    byte[] body =
        bytes(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>"
                + "<Object><Key>x/1</Key></Object><Object><Key>x/2</Key></Object>"
                + "<Object><Key>absent</Key></Object></Delete>");
    HttpResponse<byte[]> noMd5 = s3.send("POST", "/backups", "delete", body);
    assertThat(noMd5.statusCode()).isEqualTo(400);
    assertThat(text(noMd5)).contains("<Code>InvalidRequest</Code>");

    HttpResponse<byte[]> deleted =
        s3.send(
            "POST",
            "/backups",
            "delete",
            body,
            Map.of("content-md5", Base64.getEncoder().encodeToString(S3Store.md5(body))),
            Instant.now());
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(text(deleted)).contains("<DeleteResult").doesNotContain("<Error>");
    assertThat(server.standIn().keys("backups")).containsExactly("y");
  }

  @Test
  void servesHttpsWithASelfSignedCertificate(@TempDir Path dir) throws Exception {
    SelfSignedTls tls = SelfSignedTls.create(dir);
    try (S3Server https =
        S3Server.start(new S3StandIn(SETTINGS), "127.0.0.1", 0, tls.serverContext())) {
      S3Client client =
          new S3Client("https", "localhost", https.port(), SETTINGS, tls.clientContext());
      assertThat(client.send("PUT", "/backups/over-tls", "", new byte[] {7}).statusCode())
          .isEqualTo(200);
      assertThat(https.standIn().object("backups", "over-tls")).containsExactly(7);
    }
    assertThat(java.nio.file.Files.readString(tls.caFile()))
        .startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void theSandboxServesS3OnItsOwnPortWhenOneIsSet() {
    Map<String, String> overrides =
        Map.of(
            "sandbox.host", "127.0.0.1",
            "sandbox.port", "0",
            "sandbox.smtp.port", "0",
            "sandbox.s3.port", "0");
    try (Main.Sandbox sandbox =
        Main.startSandbox(ConfigLoader.load("sandbox", Map.of(), overrides))) {
      S3Client client =
          new S3Client("http", "127.0.0.1", sandbox.s3().port(), S3Settings.defaults(), null);
      assertThat(client.send("PUT", "/sandbox/dev", "", new byte[] {1}).statusCode())
          .isEqualTo(200);
      assertThat(sandbox.s3().standIn().keys("sandbox")).containsExactly("dev");
    }
  }

  private static String complete(List<String> etags, List<Integer> numbers) {
    StringBuilder xml = new StringBuilder("<CompleteMultipartUpload>");
    for (int i = 0; i < etags.size(); i++) {
      xml.append("<Part><PartNumber>")
          .append(numbers.get(i))
          .append("</PartNumber><ETag>")
          .append(etags.get(i))
          .append("</ETag></Part>");
    }
    return xml.append("</CompleteMultipartUpload>").toString();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> all(String text, String regex) {
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }
}
