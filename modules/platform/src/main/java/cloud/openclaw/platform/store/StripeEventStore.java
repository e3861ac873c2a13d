package cloud.openclaw.platform.store;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.domain.StripeEvent;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Stripe webhook events, stored on receipt so that each is processed once however often Stripe
 * delivers it, and none is lost when processing fails.
 */
public final class StripeEventStore {
  private static final String INSERT =
      """
      INSERT INTO stripe_events (id, type, created, payload)
      VALUES (?, ?, ?, ?::jsonb)
      ON CONFLICT (id) DO NOTHING\
      """;
  private static final String FIND = "SELECT * FROM stripe_events WHERE id = ?";
  private static final String MARK_PROCESSED =
      "UPDATE stripe_events SET processed_at = now() WHERE id = ? AND processed_at IS NULL";
  // The order events are processed in: Stripe's created time, then arrival (docs/billing.md).
  private static final String ORDER = "ORDER BY created, received_at, id";
  private static final String LIST_UNPROCESSED =
      "SELECT * FROM stripe_events WHERE processed_at IS NULL " + ORDER + " LIMIT ?";
  // For a worker's transaction: the event stays locked (and skipped by other workers) until commit;
  // one that failed waits for its next attempt (V3's next_attempt_at).
  private static final String LOCK_NEXT_DUE =
      "SELECT * FROM stripe_events WHERE processed_at IS NULL AND next_attempt_at <= now() "
          + ORDER
          + " LIMIT 1 FOR UPDATE SKIP LOCKED";
  private static final String DELETE_PROCESSED_BEFORE =
      "DELETE FROM stripe_events WHERE processed_at IS NOT NULL AND processed_at < ?";

  private static final Map<String, Supplier<DomainException>> CONSTRAINTS =
      Map.of(
          "stripe_events_id_check",
          () -> new InvalidInputException("id", "not a Stripe event id (evt_...)"));

  private final Database database;

  public StripeEventStore(Database database) {
    this.database = database;
  }

  /** Stores the event unless it is stored already; true when it is new. */
  public boolean insertIfNew(DbExecute exec, StripeEvent event) {
    return SqlErrors.guard(
            CONSTRAINTS,
            () ->
                exec.dml(
                    INSERT, event.id(), event.type(), Rows.param(event.created()), event.payload()))
        == 1;
  }

  public boolean insertIfNew(StripeEvent event) {
    return insertIfNew(database.execute(), event);
  }

  public Optional<StripeEvent> find(DbExecute exec, String id) {
    return exec.get(FIND, id).map(StripeEventStore::map);
  }

  /** Marks the event processed; false when it was processed already (or is unknown). */
  public boolean markProcessed(DbExecute exec, String id) {
    return exec.dml(MARK_PROCESSED, id) == 1;
  }

  /** Events not processed yet, in the order they are processed (Stripe's created, arrival). */
  public List<StripeEvent> listUnprocessed(DbExecute exec, int limit) {
    try (Stream<DbRow> rows = exec.query(LIST_UNPROCESSED, limit)) {
      return rows.map(StripeEventStore::map).toList();
    }
  }

  /** An event due for processing, and how often it failed before. */
  public record Due(StripeEvent event, int attempts) {}

  /**
   * The next event to process: unprocessed, due (not waiting for a retry), the first in Stripe's
   * created order (then arrival) that no other transaction holds, locked until {@code exec}'s
   * transaction ends: process it and {@link #markProcessed} in the same transaction.
   */
  public Optional<Due> lockNextDue(DbExecute exec) {
    return exec.get(LOCK_NEXT_DUE).map(row -> new Due(map(row), Rows.intValue(row, "attempts")));
  }

  /** Forgets events processed before {@code before} (retention); returns how many. */
  public long deleteProcessedBefore(DbExecute exec, Instant before) {
    return exec.dml(DELETE_PROCESSED_BEFORE, Rows.param(before));
  }

  static StripeEvent map(DbRow row) {
    return new StripeEvent(
        Rows.string(row, "id"),
        Rows.string(row, "type"),
        Rows.instant(row, "created"),
        Rows.string(row, "payload"),
        Rows.instant(row, "received_at"),
        Rows.instant(row, "processed_at"));
  }
}
