package cloud.openclaw.billing.mail;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Notification;
import cloud.openclaw.platform.domain.NotificationKind;
import io.helidon.dbclient.DbRow;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The sending side of the notifications outbox. A claim takes due rows with {@code FOR UPDATE SKIP
 * LOCKED} (other senders skip them), counts the attempt and pushes {@code next_attempt_at} past a
 * lease, all in one short transaction; the mail is sent outside it. A sender that dies mid-send
 * leaves the row to be claimed again once the lease is over.
 */
final class Outbox {
  private static final String CLAIM =
      """
      UPDATE notifications SET attempts = attempts + 1,
          next_attempt_at = now() + make_interval(secs => ?)
      WHERE id IN (
          SELECT id FROM notifications
          WHERE status = 'pending' AND next_attempt_at <= now()
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
  private static final String FAILED =
      """
      UPDATE notifications SET last_error = ?,
          status = CASE WHEN attempts >= ? THEN 'dead' ELSE 'pending' END,
          next_attempt_at = now() + make_interval(secs => ?)
      WHERE id = ? AND status = 'pending'\
      """;

  private final Database database;

  Outbox(Database database) {
    this.database = database;
  }

  List<Notification> claim(int limit, Duration lease) {
    return database.inTransaction(
        tx -> {
          try (Stream<DbRow> rows = tx.execute().query(CLAIM, seconds(lease), limit)) {
            return rows.map(Outbox::map).toList();
          }
        });
  }

  void sent(UUID id) {
    database.execute().dml(SENT, id);
  }

  /** Records the failure: tried again after {@code retryIn}, or dead after the last attempt. */
  void failed(UUID id, String error, int maxAttempts, Duration retryIn) {
    String text = error == null ? "unknown error" : error;
    database
        .execute()
        .dml(
            FAILED,
            text.length() > 2000 ? text.substring(0, 2000) : text,
            maxAttempts,
            seconds(retryIn),
            id);
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  private static Notification map(DbRow row) {
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
