package cloud.openclaw.billing.events;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.store.StripeEventStore;
import io.helidon.dbclient.DbExecute;
import java.time.Duration;
import java.util.Optional;

/**
 * The stored Stripe events as the worker's queue: the next due one, locked for the processing
 * transaction (others skip it); a failed one waits its backoff (V3's attempts/next_attempt_at)
 * instead of blocking the events behind it.
 */
final class EventInbox {
  private static final String DEFER =
      """
      UPDATE stripe_events
      SET attempts = attempts + 1, last_error = ?,
          next_attempt_at = now() + make_interval(secs => ?)
      WHERE id = ? AND processed_at IS NULL
      RETURNING attempts\
      """;

  private final Database database;
  private final StripeEventStore events;

  EventInbox(Database database, StripeEventStore events) {
    this.database = database;
    this.events = events;
  }

  /** The next due event in Stripe's created order, locked for the processing transaction. */
  Optional<StripeEventStore.Due> lockNextDue(DbExecute exec) {
    return events.lockNextDue(exec);
  }

  void markProcessed(DbExecute exec, String id) {
    events.markProcessed(exec, id);
  }

  /** Records the failure; the event is tried again after {@code delay}. */
  void defer(String id, String error, Duration delay) {
    database.execute().get(DEFER, truncate(error), delay.toMillis() / 1000.0, id);
  }

  private static String truncate(String error) {
    String text = error == null ? "unknown error" : error;
    return text.length() > 2000 ? text.substring(0, 2000) : text;
  }
}
