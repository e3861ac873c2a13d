package cloud.openclaw.api.stripe;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.time.Duration;

/**
 * The api's Stripe keys ({@code api.stripe.*}): the webhook endpoint's signing secret and
 * tolerance, and where Checkout and the Customer Portal send people back to.
 */
public record StripeApiSettings(
    String webhookSecret,
    Duration tolerance,
    String successUrl,
    String cancelUrl,
    String portalReturnUrl) {

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
        url(settings, "api.stripe.cancel-url"),
        url(settings, "api.stripe.portal-return-url"));
  }

  private static String url(Settings settings, String key) {
    String url = settings.optionalUri(key, "http", "https");
    if (url.isEmpty()) {
      throw new ConfigurationException(key, "missing (an http or https URL)");
    }
    return url;
  }
}
