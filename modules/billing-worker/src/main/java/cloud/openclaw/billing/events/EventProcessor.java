package cloud.openclaw.billing.events;

import cloud.openclaw.billing.BillingMetrics;
import cloud.openclaw.platform.billing.StripeEventSignal;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.StripeEvent;
import cloud.openclaw.platform.jobs.Backoff;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.logging.LogContext;
import cloud.openclaw.platform.store.StripeEventStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Works through the stored Stripe events: each in one transaction that locks it (other workers skip
 * it), applies it and marks it processed, so an event has its effect once however many workers run.
 * A failing event is retried with backoff and never dropped; the others go on. Waits for the
 * webhook's ring, or polls.
 */
public final class EventProcessor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EventProcessor.class.getName());

  private final Database database;
  private final EventInbox inbox;
  private final BillingEvents handlers;
  private final StripeEventSignal signal;
  private final Duration pollInterval;
  private final Backoff retry;
  private final BillingMetrics metrics;
  private final Clock clock;
  private Periodic loop;

  public EventProcessor(
      Database database,
      StripeEventStore events,
      BillingEvents handlers,
      StripeEventSignal signal,
      Duration pollInterval,
      Backoff retry,
      BillingMetrics metrics,
      Clock clock) {
    this.database = database;
    this.inbox = new EventInbox(database, events);
    this.handlers = handlers;
    this.signal = signal;
    this.pollInterval = pollInterval;
    this.retry = retry;
    this.metrics = metrics;
    this.clock = clock;
  }

  public EventProcessor start() {
    loop =
        Periodic.repeat(
            "stripe-events",
            pollInterval,
            () -> {
              if (!processNext()) {
                signal.await(pollInterval);
              }
            });
    return this;
  }

  /** Processes the next due event, if any; true when there was one (processed or deferred). */
  public boolean processNext() {
    AtomicReference<StripeEventStore.Due> taken = new AtomicReference<>();
    try {
      boolean processed =
          database.inTransaction(
              tx -> {
                var due = inbox.lockNextDue(tx.execute());
                if (due.isEmpty()) {
                  return false;
                }
                taken.set(due.get());
                // The event's id is the request id of its log lines, of the jobs it enqueues and
                // of its calls to the token proxy.
                try (LogContext.Scope event = LogContext.request(due.get().event().id())) {
                  handlers.handle(tx, due.get().event());
                }
                inbox.markProcessed(tx.execute(), due.get().event().id());
                return true;
              });
      if (processed) {
        StripeEvent event = taken.get().event();
        metrics.applied(event.type(), Duration.between(event.created(), clock.instant()));
      }
      return processed;
    } catch (RuntimeException e) {
      StripeEventStore.Due due = taken.get();
      if (due == null) {
        throw e;
      }
      metrics.failed(due.event().type());
      Duration delay = retry.after(due.attempts() + 1);
      try (LogContext.Scope event = LogContext.request(due.event().id())) {
        LOG.log(
            Level.WARNING,
            "stripe event "
                + due.event().id()
                + " ("
                + due.event().type()
                + ") failed; again in "
                + delay,
            e);
      }
      inbox.defer(due.event().id(), e.toString(), delay);
      return true;
    }
  }

  @Override
  public void close() {
    if (loop != null) {
      loop.close();
    }
  }
}
