package cloud.openclaw.platform.store;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.domain.Subscription;
import cloud.openclaw.platform.domain.SubscriptionChange;
import cloud.openclaw.platform.domain.SubscriptionStatus;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Stripe subscriptions, kept as the newest Stripe event says: events arrive late and out of order,
 * and an older one never moves a subscription back.
 */
public final class SubscriptionStore {
  // The conflict branch applies only when the event is not older than the last one applied; a
  // skipped update returns no row.
  private static final String UPSERT =
      """
      INSERT INTO subscriptions AS s (customer_id, stripe_subscription_id, plan, status,
          current_period_start, current_period_end, cancel_at_period_end, last_event_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (stripe_subscription_id) DO UPDATE SET
          plan = EXCLUDED.plan,
          status = EXCLUDED.status,
          current_period_start = EXCLUDED.current_period_start,
          current_period_end = EXCLUDED.current_period_end,
          cancel_at_period_end = EXCLUDED.cancel_at_period_end,
          last_event_at = EXCLUDED.last_event_at,
          updated_at = now()
      WHERE s.last_event_at IS NULL OR s.last_event_at <= EXCLUDED.last_event_at
      RETURNING *\
      """;
  private static final String FIND = "SELECT * FROM subscriptions WHERE id = ?";
  private static final String FIND_BY_STRIPE_ID =
      "SELECT * FROM subscriptions WHERE stripe_subscription_id = ?";
  // Live subscriptions first, then the one whose period ends last.
  private static final String FIND_CURRENT =
      """
      SELECT * FROM subscriptions
      WHERE customer_id = ?
      ORDER BY status IN ('canceled', 'incomplete_expired'), current_period_end DESC,
          created_at DESC
      LIMIT 1\
      """;
  private static final String LIST_FOR_CUSTOMER =
      "SELECT * FROM subscriptions WHERE customer_id = ? ORDER BY created_at DESC, id DESC";

  private static final Map<String, Supplier<DomainException>> CONSTRAINTS =
      Map.of(
          "subscriptions_period_order",
          () ->
              new InvalidInputException(
                  "currentPeriodEnd", "a billing period must end after it starts"),
          "subscriptions_customer_id_fkey",
          () -> new NotFoundException("customer"));

  private final Database database;

  public SubscriptionStore(Database database) {
    this.database = database;
  }

  /**
   * What {@link #upsert} did: {@code applied} is false when a newer event had been applied already,
   * and {@code subscription} is the state now stored either way.
   */
  public record Upsert(boolean applied, Subscription subscription) {}

  /**
   * Inserts the subscription or brings it to {@code change}, unless an event newer than {@code
   * change.eventAt()} has been applied already (events of the same time do apply).
   */
  public Upsert upsert(DbExecute exec, SubscriptionChange change) {
    Optional<Subscription> applied =
        SqlErrors.guard(
            CONSTRAINTS,
            () ->
                exec.get(
                        UPSERT,
                        change.customerId(),
                        change.stripeSubscriptionId(),
                        change.plan(),
                        change.status().dbValue(),
                        Rows.param(change.currentPeriodStart()),
                        Rows.param(change.currentPeriodEnd()),
                        change.cancelAtPeriodEnd(),
                        Rows.param(change.eventAt()))
                    .map(SubscriptionStore::map));
    if (applied.isPresent()) {
      return new Upsert(true, applied.get());
    }
    return new Upsert(false, findByStripeId(exec, change.stripeSubscriptionId()).orElseThrow());
  }

  public Optional<Subscription> find(DbExecute exec, UUID id) {
    return exec.get(FIND, id).map(SubscriptionStore::map);
  }

  public Optional<Subscription> findByStripeId(DbExecute exec, String stripeSubscriptionId) {
    return exec.get(FIND_BY_STRIPE_ID, stripeSubscriptionId).map(SubscriptionStore::map);
  }

  /**
   * The subscription that governs the customer now: a live one (not canceled or expired) when there
   * is one, else the one that ended last.
   */
  public Optional<Subscription> findCurrentForCustomer(DbExecute exec, UUID customerId) {
    return exec.get(FIND_CURRENT, customerId).map(SubscriptionStore::map);
  }

  public Optional<Subscription> findCurrentForCustomer(UUID customerId) {
    return findCurrentForCustomer(database.execute(), customerId);
  }

  /** All of the customer's subscriptions, newest first. */
  public List<Subscription> listForCustomer(DbExecute exec, UUID customerId) {
    try (Stream<DbRow> rows = exec.query(LIST_FOR_CUSTOMER, customerId)) {
      return rows.map(SubscriptionStore::map).toList();
    }
  }

  static Subscription map(DbRow row) {
    return new Subscription(
        Rows.uuid(row, "id"),
        Rows.uuid(row, "customer_id"),
        Rows.string(row, "stripe_subscription_id"),
        Rows.string(row, "plan"),
        SubscriptionStatus.fromDb(Rows.string(row, "status")),
        Rows.instant(row, "current_period_start"),
        Rows.instant(row, "current_period_end"),
        Rows.bool(row, "cancel_at_period_end"),
        Rows.instant(row, "last_event_at"),
        Rows.instant(row, "created_at"),
        Rows.instant(row, "updated_at"));
  }
}
