package cloud.openclaw.api.stripe;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.net.URI;
import java.time.Duration;

/**
 * The api's Stripe keys ({@code api.stripe.*}): the webhook endpoint's signing secret and
 * tolerance, and where Checkout sends people back to (the Customer Portal returns to the dashboard,
 * {@code api.public-url}).
 */
public record StripeApiSettings(
    String webhookSecret, Duration tolerance, String successUrl, String cancelUrl) {

  public static StripeApiSettings from(Settings settings) {
    String secret = settings.optionalString("api.stripe.webhook-secret");
    if (!secret.startsWith("whsec_")) {
      throw new ConfigurationException(
          "api.stripe.webhook-secret", "missing or not a signing secret (whsec_...)");
    }
    return new StripeApiSettings(
        secret,
        settings.duration("api.stripe.tolerance"),
        url(settings, "api.stripe.success-url"),
        url(settings, "api.stripe.cancel-url"));
  }

  /** An http(s) URL; Stripe's {CHECKOUT_SESSION_ID} placeholder may appear in it. */
  private static String url(Settings settings, String key) {
    String url = settings.optionalString(key);
    try {
      URI uri = URI.create(url.replace("{CHECKOUT_SESSION_ID}", "cs"));
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return url;
      }
    } catch (IllegalArgumentException invalid) {
      // reported below
    }
    throw new ConfigurationException(key, "'" + url + "' is not an http or https URL");
  }
}
