package cloud.openclaw.sandbox.stripe;

import cloud.openclaw.platform.config.Settings;
import java.time.Duration;

/**
 * How the Stripe stand-in behaves, from {@code sandbox.stripe.*}.
 *
 * @param webhookUrl where events are delivered (empty: held until one is set through {@code POST
 *     /stripe/_sandbox/webhook})
 * @param webhookSecret the endpoint's signing secret (whsec_...), as the platform's api has it
 * @param retryBase the delay before the first redelivery of an event the endpoint did not take; it
 *     doubles up to a minute
 * @param maxAttempts deliveries of one event before the stand-in gives it up
 */
public record StripeSandboxSettings(
    String webhookUrl, String webhookSecret, Duration retryBase, int maxAttempts) {
  public static StripeSandboxSettings defaults() {
    return new StripeSandboxSettings("", "whsec_sandbox", Duration.ofSeconds(1), 10);
  }

  public static StripeSandboxSettings from(Settings settings) {
    return new StripeSandboxSettings(
        settings.optionalUri("sandbox.stripe.webhook-url", "http", "https"),
        settings.string("sandbox.stripe.webhook-secret"),
        settings.duration("sandbox.stripe.retry-base"),
        settings.integer("sandbox.stripe.max-attempts", 1, 1000));
  }
}
