package cloud.openclaw.sandbox.stripe;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Stripe's webhook signature: {@code Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256>}. */
public final class WebhookSigner {
  private WebhookSigner() {}

  /** The header value for {@code payload} signed at {@code timestamp} (seconds) with the secret. */
  public static String header(String payload, String secret, long timestamp) {
    return "t=" + timestamp + ",v1=" + hmac(secret, timestamp + "." + payload);
  }

  static String hmac(String secret, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }
}
