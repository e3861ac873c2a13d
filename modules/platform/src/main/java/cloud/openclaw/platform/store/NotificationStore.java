package cloud.openclaw.platform.store;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.domain.NewNotification;
import cloud.openclaw.platform.domain.Notification;
import cloud.openclaw.platform.domain.NotificationKind;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The email outbox. Any service enqueues (in the transaction of the change the mail announces);
 * billing's notification worker sends.
 */
public final class NotificationStore {
  private static final String INSERT =
      """
      INSERT INTO notifications (customer_id, kind, recipient, subject, body, dedupe_key)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id\
      """;
  private static final String FIND = "SELECT * FROM notifications WHERE id = ?";

  private static final Map<String, Supplier<DomainException>> CONSTRAINTS =
      Map.of(
          "notifications_recipient_check",
          () -> new InvalidInputException("email", "not an email address"),
          "notifications_subject_check",
          () -> new InvalidInputException("subject", "must be 1 to 200 characters"));

  private final Database database;

  public NotificationStore(Database database) {
    this.database = database;
  }

  /** Enqueues the mail unless its occasion is enqueued already; its id when new. */
  public Optional<UUID> enqueue(DbExecute exec, NewNotification mail) {
    return SqlErrors.guard(
        CONSTRAINTS,
        () ->
            exec.get(
                    INSERT,
                    mail.customerId(),
                    mail.kind().dbValue(),
                    mail.recipient(),
                    mail.subject(),
                    mail.body(),
                    mail.dedupeKey())
                .map(row -> Rows.uuid(row, "id")));
  }

  public Optional<UUID> enqueue(NewNotification mail) {
    return enqueue(database.execute(), mail);
  }

  public Optional<Notification> find(DbExecute exec, UUID id) {
    return exec.get(FIND, id).map(NotificationStore::map);
  }

  static Notification map(DbRow row) {
    return new Notification(
        Rows.uuid(row, "id"),
        Rows.uuid(row, "customer_id"),
        NotificationKind.fromDb(Rows.string(row, "kind")),
        Rows.string(row, "recipient"),
        Rows.string(row, "subject"),
        Rows.string(row, "body"),
        Rows.string(row, "dedupe_key"),
        Rows.string(row, "status"),
        Rows.intValue(row, "attempts"),
        Rows.instant(row, "next_attempt_at"),
        Rows.string(row, "last_error"),
        Rows.instant(row, "created_at"),
        Rows.instant(row, "sent_at"));
  }
}
