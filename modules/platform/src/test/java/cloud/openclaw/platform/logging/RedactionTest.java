package cloud.openclaw.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {
  @Test
  void aTelegramBotTokenIsMasked() {
    String token = "7123456789:AAHk3x_9vQ-abcdefghijklmnopqrstuvwx";

    String masked = Redaction.apply("getMe failed for " + token + " (401)");

    assertThat(masked).doesNotContain(token).doesNotContain("AAHk3x").contains("<bot-token>");
    assertThat(masked).startsWith("getMe failed for ").endsWith(" (401)");
    assertThat(Redaction.apply("GET /telegram/bot" + token + "/getMe HTTP/1.1"))
        .isEqualTo("GET /telegram/bot<bot-token>/getMe HTTP/1.1");
  }

  @Test
  void proxyTokensAndBearerValuesAreMasked() {
    String token = "ocp_" + "A".repeat(20) + "b_-c" + "9".repeat(19);

    assertThat(Redaction.apply("issued " + token)).isEqualTo("issued ocp_<redacted>");
    assertThat(Redaction.apply("Authorization: Bearer s3rv1ce.t0ken/x="))
        .isEqualTo("Authorization: Bearer <redacted>");
  }

  @Test
  void stripeSecretsAreMasked() {
    assertThat(Redaction.apply("key sk_live_51Habc123XYZ in use"))
        .isEqualTo("key sk_<redacted> in use");
    assertThat(Redaction.apply("rk_test_abcdef123456")).isEqualTo("rk_<redacted>");
    assertThat(Redaction.apply("secret whsec_AbCdEf0123456789"))
        .isEqualTo("secret whsec_<redacted>");
    // Words that merely contain the letters are left alone.
    assertThat(Redaction.apply("risk_level disk_usage")).isEqualTo("risk_level disk_usage");
  }

  @Test
  void anEmailKeepsItsFirstLetterAndDomain() {
    assertThat(Redaction.apply("mail to jane.doe+x@example.com failed"))
        .isEqualTo("mail to j***@example.com failed");
    assertThat(Redaction.apply("a@b.io")).isEqualTo("a***@b.io");
  }

  @Test
  void queryStringSecretsAreMasked() {
    assertThat(Redaction.apply("GET /auth/verify?token=abc.def&next=/me"))
        .isEqualTo("GET /auth/verify?token=<redacted>&next=/me");
    assertThat(Redaction.apply("https://x/y?a=1&api_key=zzz"))
        .isEqualTo("https://x/y?a=1&api_key=<redacted>");
    assertThat(Redaction.apply("password=hunter2 user=bob"))
        .isEqualTo("password=<redacted> user=bob");
  }

  @Test
  void aJwtIsMasked() {
    assertThat(Redaction.apply("session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl ok"))
        .isEqualTo("session <jwt> ok");
  }

  @Test
  void ordinaryLinesAreUnchanged() {
    String line =
        "job 3f1c6e4a-1b2c-4d5e-8f90-123456789abc (provision) of box 42 took 12:30:01, Object@1a2b";

    assertThat(Redaction.apply(line)).isEqualTo(line);
    assertThat(Redaction.apply(null)).isNull();
  }
}
