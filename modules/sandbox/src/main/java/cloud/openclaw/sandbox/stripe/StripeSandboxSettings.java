package cloud.openclaw.sandbox.stripe;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * How the Stripe stand-in behaves, from {@code sandbox.stripe.*}.
 *
 * @param webhookUrl where events are delivered (empty: held until one is set through {@code POST
 *     /stripe/_sandbox/webhook})
 * @param webhookSecret the endpoint's signing secret (whsec_...), as the platform's api has it
 * @param retryBase the delay before the first redelivery of an event the endpoint did not take; it
 *     doubles up to a minute
 * @param maxAttempts deliveries of one event before the stand-in gives it up
 * @param finalizeDelay how long a renewal's draft invoice stays a draft before it is finalized and
 *     charged (Stripe: an hour)
 * @param paymentRetries when a failed charge is tried again, each after the one before (Stripe's
 *     retry schedule); after the last the subscription becomes {@code afterLastRetry}
 * @param afterLastRetry {@code unpaid}, {@code canceled} or {@code past_due} (left as it is), as in
 *     Stripe's settings
 */
public record StripeSandboxSettings(
    String webhookUrl,
    String webhookSecret,
    Duration retryBase,
    int maxAttempts,
    Duration finalizeDelay,
    List<Duration> paymentRetries,
    String afterLastRetry) {
  static final List<String> AFTER_LAST_RETRY = List.of("unpaid", "canceled", "past_due");

  public static StripeSandboxSettings defaults() {
    return new StripeSandboxSettings(
        "",
        "whsec_sandbox",
        Duration.ofSeconds(1),
        10,
        Duration.ofHours(1),
        List.of(Duration.ofDays(3), Duration.ofDays(5), Duration.ofDays(7)),
        "unpaid");
  }

  public static StripeSandboxSettings from(Settings settings) {
    String after = settings.string("sandbox.stripe.after-last-retry");
    if (!AFTER_LAST_RETRY.contains(after)) {
      throw new ConfigurationException(
          "sandbox.stripe.after-last-retry", "'" + after + "' is not one of " + AFTER_LAST_RETRY);
    }
    return new StripeSandboxSettings(
        settings.optionalUri("sandbox.stripe.webhook-url", "http", "https"),
        settings.string("sandbox.stripe.webhook-secret"),
        settings.duration("sandbox.stripe.retry-base"),
        settings.integer("sandbox.stripe.max-attempts", 1, 1000),
        settings.duration("sandbox.stripe.finalize-delay"),
        retries(settings.list("sandbox.stripe.payment-retries")),
        after);
  }

  private static List<Duration> retries(List<String> raw) {
    try {
      List<Duration> retries = raw.stream().map(Duration::parse).toList();
      if (retries.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
        throw new ConfigurationException("sandbox.stripe.payment-retries", "must be positive");
      }
      return retries;
    } catch (DateTimeParseException e) {
      throw new ConfigurationException(
          "sandbox.stripe.payment-retries", "'" + raw + "' is not a list such as P3D,P5D,P7D");
    }
  }
}
