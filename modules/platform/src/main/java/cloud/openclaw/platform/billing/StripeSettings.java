package cloud.openclaw.platform.billing;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;

/**
 * How to reach Stripe: the secret key and the API base ({@code https://api.stripe.com}, or the
 * sandbox's stand-in in dev mode and tests).
 */
public record StripeSettings(String secretKey, String apiBase) {
  public static StripeSettings from(Settings settings) {
    String key = settings.optionalString("stripe.secret-key");
    if (key.isEmpty()) {
      throw new ConfigurationException("stripe.secret-key", "missing (sk_live_... or sk_test_...)");
    }
    String base = settings.optionalUri("stripe.api-base", "http", "https");
    if (base.isEmpty()) {
      throw new ConfigurationException("stripe.api-base", "missing (https://api.stripe.com)");
    }
    return new StripeSettings(
        key, base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
  }
}
