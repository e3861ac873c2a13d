package cloud.openclaw.billing;

import cloud.openclaw.platform.http.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The billing worker's meters: {@code billing_events_total{type,outcome}} (outcome {@code applied}
 * or {@code failed}: a failed event is retried), {@code billing_event_lag_seconds} (Stripe's
 * creation of an event to its effect here), {@code billing_outbox_pending} (mail not yet sent) and
 * {@code billing_emails_failed_total} (send attempts that failed). The handled event types are
 * registered at start, so a scrape lists every family before the first event.
 */
public final class BillingMetrics {
  static final List<String> HANDLED_TYPES =
      List.of(
          "checkout.session.completed",
          "invoice.paid",
          "invoice.payment_succeeded",
          "invoice.payment_failed",
          "customer.subscription.created",
          "customer.subscription.updated",
          "customer.subscription.deleted");

  private final MeterRegistry registry;
  private final Timer eventLag;
  private final AtomicLong outboxPending = new AtomicLong();
  private final Counter emailsFailed;

  public BillingMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String type : HANDLED_TYPES) {
      events(type, "applied");
      events(type, "failed");
    }
    eventLag =
        Metrics.timer(
            registry,
            "billing_event_lag",
            "From Stripe creating an event to its effect applied here",
            Duration.ofMillis(10),
            Duration.ofHours(1));
    Gauge.builder("billing_outbox_pending", outboxPending, AtomicLong::get)
        .description("Mail in the outbox not yet sent (nor given up)")
        .register(registry);
    emailsFailed =
        Counter.builder("billing_emails_failed")
            .description("Attempts to send a mail that failed (retried until the last)")
            .register(registry);
  }

  private Counter events(String type, String outcome) {
    return Counter.builder("billing_events")
        .description("Stripe events worked by the billing worker, by type and outcome")
        .tag("type", type)
        .tag("outcome", outcome)
        .register(registry);
  }

  /** An event applied; {@code lag} from its creation at Stripe. */
  public void applied(String type, Duration lag) {
    events(type, "applied").increment();
    eventLag.record(lag.isNegative() ? Duration.ZERO : lag);
  }

  /** An event whose handling failed (it is retried with backoff). */
  public void failed(String type) {
    events(type, "failed").increment();
  }

  public void outboxPending(long pending) {
    outboxPending.set(pending);
  }

  public void emailFailed() {
    emailsFailed.increment();
  }
}
