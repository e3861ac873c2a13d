package cloud.openclaw.billing.events;

import cloud.openclaw.billing.Mails;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.NewNotification;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.NotificationStore;
import io.helidon.dbclient.DbRow;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Mails about a box's state, one per box, found by a query rather than an event, so a missed moment
 * is caught on the next pass:
 *
 * <ul>
 *   <li>"your agent is live": the box runs and has run ({@code ready_at}, which the operator sets
 *       only once the gateway serves and the bot answered Telegram's getMe);
 *   <li>"Telegram refused your bot token": the box is {@code bot_refused} (the operator saw getMe
 *       refused, at provisioning or later).
 * </ul>
 */
public final class BoxNotices {
  // Boxes that became ready in the last day, run now and have no agent_live mail yet.
  private static final String NEWLY_LIVE =
      """
      SELECT b.id, b.customer_id, b.bot_username FROM boxes b
      WHERE b.ready_at IS NOT NULL AND b.ready_at > now() - interval '1 day'
        AND b.observed_state = 'running' AND b.destroyed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM notifications n
                        WHERE n.dedupe_key = 'agent_live:' || b.id::text)
      LIMIT 100\
      """;
  // Boxes whose bot token Telegram refuses, whose customer was not told yet.
  private static final String BOT_REFUSED =
      """
      SELECT b.id, b.customer_id, b.bot_username FROM boxes b
      WHERE b.observed_state = 'bot_refused' AND b.destroyed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM notifications n
                        WHERE n.dedupe_key = 'bot_refused:' || b.id::text)
      LIMIT 100\
      """;

  private final Database database;
  private final CustomerStore customers;
  private final NotificationStore notifications;
  private final Mails mails;

  public BoxNotices(
      Database database, CustomerStore customers, NotificationStore notifications, Mails mails) {
    this.database = database;
    this.customers = customers;
    this.notifications = notifications;
    this.mails = mails;
  }

  /** The mail about one box: its customer, bot username and id. */
  private interface BoxMail {
    NewNotification of(Customer customer, String botUsername, String boxId);
  }

  /** One pass; how many mails were enqueued. */
  public int run() {
    return pass(NEWLY_LIVE, mails::agentLive) + pass(BOT_REFUSED, mails::botRefused);
  }

  private int pass(String query, BoxMail mail) {
    record Found(UUID box, UUID customer, String bot) {}
    List<Found> found;
    try (Stream<DbRow> rows = database.execute().query(query)) {
      found =
          rows.map(
                  row ->
                      new Found(
                          Rows.uuid(row, "id"),
                          Rows.uuid(row, "customer_id"),
                          Rows.string(row, "bot_username")))
              .toList();
    }
    int enqueued = 0;
    for (Found box : found) {
      enqueued +=
          customers
                  .find(database.execute(), box.customer())
                  .flatMap(
                      customer ->
                          notifications.enqueue(
                              database.execute(),
                              mail.of(customer, box.bot(), box.box().toString())))
                  .isPresent()
              ? 1
              : 0;
    }
    return enqueued;
  }
}
