package cloud.openclaw.platform.store;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.domain.NewNotification;
import cloud.openclaw.platform.domain.Notification;
import cloud.openclaw.platform.domain.NotificationChannel;
import cloud.openclaw.platform.domain.NotificationKind;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The email outbox. Any service enqueues (in the transaction of the change the mail announces);
 * billing's notification worker sends. A claim takes due rows with {@code FOR UPDATE SKIP LOCKED}
 * (other senders skip them), counts the attempt and pushes {@code next_attempt_at} past a lease,
 * all in one short transaction; the mail is sent outside it. A sender that dies mid-send leaves the
 * row to be claimed again once the lease is over.
 */
public final class NotificationStore {
  private static final String INSERT =
      """
      INSERT INTO notifications (customer_id, kind, recipient, subject, body, dedupe_key, channel)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id\
      """;
  private static final String FIND = "SELECT * FROM notifications WHERE id = ?";
  private static final String CLAIM =
      """
      UPDATE notifications SET attempts = attempts + 1,
          next_attempt_at = now() + make_interval(secs => ?)
      WHERE id IN (
          SELECT id FROM notifications
          WHERE channel = ? AND status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at
          LIMIT ?
          FOR UPDATE SKIP LOCKED)
      RETURNING *\
      """;
  // A sign-in link is a credential: once delivered, the outbox need not keep it.
  private static final String SENT =
      """
      UPDATE notifications SET status = 'sent', sent_at = now(), last_error = NULL,
          body = CASE WHEN kind = 'sign_in_link' THEN '' ELSE body END
      WHERE id = ? AND status = 'pending'\
      """;
  // Given up at once: retrying cannot help (Telegram refuses the bot or the chat for good).
  private static final String DEAD =
      "UPDATE notifications SET status = 'dead', last_error = ? WHERE id = ? AND status = 'pending'";
  private static final String FAILED =
      """
      UPDATE notifications SET last_error = ?,
          status = CASE WHEN attempts >= ? THEN 'dead' ELSE 'pending' END,
          next_attempt_at = now() + make_interval(secs => ?)
      WHERE id = ? AND status = 'pending'\
      """;

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
                    mail.dedupeKey(),
                    mail.channel().dbValue())
                .map(row -> Rows.uuid(row, "id")));
  }

  public Optional<UUID> enqueue(NewNotification mail) {
    return enqueue(database.execute(), mail);
  }

  public Optional<Notification> find(DbExecute exec, UUID id) {
    return exec.get(FIND, id).map(NotificationStore::map);
  }

  /** Up to {@code limit} due mails, each leased to the caller for {@code lease}. */
  public List<Notification> claim(int limit, Duration lease) {
    return claim(NotificationChannel.EMAIL, limit, lease);
  }

  /** Up to {@code limit} due notifications of the channel, each leased for {@code lease}. */
  public List<Notification> claim(NotificationChannel channel, int limit, Duration lease) {
    return database.inTransaction(
        tx -> {
          try (Stream<DbRow> rows =
              tx.execute().query(CLAIM, seconds(lease), channel.dbValue(), limit)) {
            return rows.map(NotificationStore::map).toList();
          }
        });
  }

  /** Notifications not yet sent nor given up (every channel): the outbox's backlog. */
  public long countPending() {
    return Rows.longValue(
        database
            .execute()
            .get("SELECT count(*) AS n FROM notifications WHERE status = 'pending'")
            .orElseThrow(),
        "n");
  }

  public void markSent(UUID id) {
    database.execute().dml(SENT, id);
  }

  /** Gives the notification up at once, with the reason. */
  public void markDead(UUID id, String reason) {
    database.execute().dml(DEAD, truncated(reason), id);
  }

  /** Records the failure: tried again after {@code retryIn}, or dead after the last attempt. */
  public void markFailed(UUID id, String error, int maxAttempts, Duration retryIn) {
    database.execute().dml(FAILED, truncated(error), maxAttempts, seconds(retryIn), id);
  }

  private static String truncated(String error) {
    String text = error == null ? "unknown error" : error;
    return text.length() > 2000 ? text.substring(0, 2000) : text;
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
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
        Rows.instant(row, "sent_at"),
        NotificationChannel.fromDb(Rows.string(row, "channel")));
  }
}
