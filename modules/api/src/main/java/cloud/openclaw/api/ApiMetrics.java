package cloud.openclaw.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The api's own meters: {@code api_stripe_webhooks_total{outcome}} and {@code
 * api_signups_total{outcome}}, every outcome registered at start (at 0) so a scrape lists both
 * families, and the alert's failure ratio has its series, before the first delivery.
 */
public final class ApiMetrics {
  /** A webhook delivery: stored, a redelivery, a signature we refuse, a body that is no event. */
  public enum Webhook {
    ACCEPTED,
    DUPLICATE,
    BAD_SIGNATURE,
    INVALID
  }

  /**
   * A sign-up: taken and mailed (202), continued from its mailed link on to the checkout (303),
   * refused as invalid input, refused otherwise (rate limited, a conflict), or failed (our fault:
   * the alerts' 5xx).
   */
  public enum Signup {
    MAILED,
    CONTINUED,
    INVALID,
    REFUSED,
    FAILED
  }

  private final Map<Webhook, Counter> webhooks;
  private final Map<Signup, Counter> signups;

  public ApiMetrics(MeterRegistry registry) {
    webhooks =
        counters(registry, "api_stripe_webhooks", "Stripe webhook deliveries", Webhook.values());
    signups = counters(registry, "api_signups", "Sign-up requests (POST /signup)", Signup.values());
  }

  public void webhook(Webhook outcome) {
    webhooks.get(outcome).increment();
  }

  public void signup(Signup outcome) {
    signups.get(outcome).increment();
  }

  private static <E extends Enum<E>> Map<E, Counter> counters(
      MeterRegistry registry, String name, String description, E[] outcomes) {
    return List.of(outcomes).stream()
        .collect(
            Collectors.toUnmodifiableMap(
                Function.identity(),
                outcome ->
                    Counter.builder(name)
                        .description(description)
                        .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                        .register(registry)));
  }
}
