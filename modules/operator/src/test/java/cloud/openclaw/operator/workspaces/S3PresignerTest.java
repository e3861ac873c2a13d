package cloud.openclaw.operator.workspaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class S3PresignerTest {
  static final Clock EXAMPLE_TIME =
      Clock.fixed(Instant.parse("2013-05-24T00:00:00Z"), ZoneOffset.UTC);

  /**
   * AWS's published example ("Authenticating Requests: Using Query Parameters (AWS Signature
   * Version 4)"): virtual-hosted style, so the bucket is in the endpoint's host and the path is the
   * key.
   */
  @Test
  void reproducesAwsPublishedExample() {
    S3Presigner presigner =
        new S3Presigner(
            URI.create("https://examplebucket.s3.amazonaws.com"),
            "us-east-1",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            EXAMPLE_TIME);

    URI url = presigner.presign("GET", "/test.txt", Duration.ofSeconds(86400));

    assertThat(url.toString())
        .isEqualTo(
            "https://examplebucket.s3.amazonaws.com/test.txt"
                + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20130524T000000Z"
                + "&X-Amz-Expires=86400"
                + "&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  }

  /** Path-style PUT and GET of a workspace archive: the signatures botocore 1.43 computes. */
  @Test
  void pathStyleUrlsMatchBotocore() {
    S3Presigner presigner =
        new S3Presigner(
            URI.create("https://fsn1.your-objectstorage.com"),
            "fsn1",
            "AKIDEXAMPLE",
            "secret/example+key",
            Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC));
    String key = "workspaces/11111111-2222-4333-8444-555555555555.tar.gz";
    String common =
        "https://fsn1.your-objectstorage.com/openclaw-backups/"
            + key
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIDEXAMPLE%2F20261203%2Ffsn1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20261203T100000Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=";

    assertThat(presigner.object("PUT", "openclaw-backups", key, Duration.ofDays(7)).toString())
        .isEqualTo(common + "c424f48cf37afea518e92c018223098276c4bf042fec90e8de1a24ad4b2f4673");
    assertThat(presigner.object("GET", "openclaw-backups", key, Duration.ofDays(7)).toString())
        .isEqualTo(common + "0c938ff81cc1d08d4c959b2bcbb3b73195ba694bb4b324298ee3cc39dd240192");
  }

  @Test
  void pathStyleObjectUrlsCarryTheBucketInThePathAndANonDefaultPortInTheHost() {
    S3Presigner presigner =
        new S3Presigner(
            URI.create("http://minio.storage:9000"), "eu-central-1", "AK", "SK", EXAMPLE_TIME);

    URI put = presigner.object("PUT", "backups", "workspaces/abc.tar.gz", Duration.ofMinutes(10));
    URI get = presigner.object("GET", "backups", "workspaces/abc.tar.gz", Duration.ofMinutes(10));

    assertThat(put.getScheme()).isEqualTo("http");
    assertThat(put.getAuthority()).isEqualTo("minio.storage:9000");
    assertThat(put.getRawPath()).isEqualTo("/backups/workspaces/abc.tar.gz");
    assertThat(put.getRawQuery())
        .contains("X-Amz-Credential=AK%2F20130524%2Feu-central-1%2Fs3%2Faws4_request")
        .contains("X-Amz-Expires=600");
    assertThat(put.getRawQuery()).isNotEqualTo(get.getRawQuery()); // the method is signed
  }

  @Test
  void keysAreEncodedAsAwsDoesAndTtlsAreBounded() {
    assertThat(S3Presigner.encode("/a b/ü~x+y", false)).isEqualTo("/a%20b/%C3%BC~x%2By");
    assertThat(S3Presigner.encode("a/b", true)).isEqualTo("a%2Fb");
    S3Presigner presigner =
        new S3Presigner(URI.create("https://s3.example"), "r", "AK", "SK", EXAMPLE_TIME);
    assertThatThrownBy(() -> presigner.presign("GET", "/k", Duration.ofDays(8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new S3Presigner(
                    URI.create("https://s3.example/prefix"), "r", "a", "s", EXAMPLE_TIME))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
