package cloud.openclaw.billing;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.jobs.Backoff;
import java.net.URI;
import java.time.Duration;

/**
 * The billing worker's keys ({@code billing.*}): how it polls and retries Stripe events, the grace
 * period before an unpaid box is suspended, and the token proxy's internal API; and the Telegram
 * Bot API the customers' own bots are written with ({@code telegram.api-root}, shared).
 */
public record BillingSettings(
    Duration eventPollInterval,
    Backoff eventRetry,
    Duration gracePeriod,
    Duration graceCheckInterval,
    URI tokenProxyUrl,
    String tokenProxyToken,
    String dashboardUrl,
    URI telegramApiRoot) {

  public static BillingSettings from(Settings settings) {
    String proxyUrl = settings.optionalUri("billing.token-proxy.internal-url", "http", "https");
    if (proxyUrl.isEmpty()) {
      throw new ConfigurationException("billing.token-proxy.internal-url", "missing");
    }
    String token = settings.optionalString("billing.token-proxy.internal-token");
    if (token.length() < 16) {
      throw new ConfigurationException(
          "billing.token-proxy.internal-token", "missing or shorter than 16 characters");
    }
    Duration retryBase = settings.duration("billing.events.retry-base");
    Duration retryMax = settings.duration("billing.events.retry-max");
    if (retryMax.compareTo(retryBase) < 0) {
      throw new ConfigurationException(
          "billing.events.retry-max", "shorter than billing.events.retry-base");
    }
    return new BillingSettings(
        settings.duration("billing.events.poll-interval"),
        new Backoff(retryBase, retryMax),
        settings.duration("billing.grace-period"),
        settings.duration("billing.grace-check-interval"),
        URI.create(proxyUrl),
        token,
        settings.string("billing.dashboard-url"),
        URI.create(settings.string("telegram.api-root")));
  }
}
