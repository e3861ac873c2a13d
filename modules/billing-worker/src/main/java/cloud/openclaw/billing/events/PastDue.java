package cloud.openclaw.billing.events;

import cloud.openclaw.platform.db.Rows;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Since when a subscription's payment is overdue (V3's subscriptions.past_due_since): the time we
 * learned of it, so the grace period is measured on our clock.
 */
public final class PastDue {
  private static final String MARK =
      "UPDATE subscriptions SET past_due_since = coalesce(past_due_since, ?) WHERE id = ?";
  private static final String CLEAR = "UPDATE subscriptions SET past_due_since = NULL WHERE id = ?";
  // Past due beyond the grace period, whose customer is still only past due.
  private static final String OVERDUE =
      """
      SELECT s.customer_id, s.stripe_subscription_id, s.past_due_since
      FROM subscriptions s JOIN customers c ON c.id = s.customer_id
      WHERE s.past_due_since IS NOT NULL AND s.past_due_since <= ?
        AND s.status IN ('past_due', 'unpaid') AND c.status = 'past_due'
      ORDER BY s.past_due_since
      LIMIT 100\
      """;

  /** A subscription whose grace period is over. */
  public record Overdue(UUID customerId, String stripeSubscriptionId, Instant since) {}

  /** Starts the grace period at {@code now}, unless it runs already. */
  void markStarted(DbExecute exec, UUID subscriptionId, Instant now) {
    exec.dml(MARK, Rows.param(now), subscriptionId);
  }

  void clear(DbExecute exec, UUID subscriptionId) {
    exec.dml(CLEAR, subscriptionId);
  }

  public List<Overdue> overdue(DbExecute exec, Instant pastDueBefore) {
    try (Stream<DbRow> rows = exec.query(OVERDUE, Rows.param(pastDueBefore))) {
      return rows.map(
              row ->
                  new Overdue(
                      Rows.uuid(row, "customer_id"),
                      Rows.string(row, "stripe_subscription_id"),
                      Rows.instant(row, "past_due_since")))
          .toList();
    }
  }
}
