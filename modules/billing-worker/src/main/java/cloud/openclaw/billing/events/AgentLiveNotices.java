package cloud.openclaw.billing.events;

import cloud.openclaw.billing.Mails;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.NotificationStore;
import io.helidon.dbclient.DbRow;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * "Your agent is live": the first time a box has run ({@code ready_at}, set by the operator), one
 * mail per box. Found by a query rather than an event, so a missed moment is caught on the next
 * pass.
 */
public final class AgentLiveNotices {
  // Boxes that became ready in the last day and have no agent_live mail yet.
  private static final String NEWLY_LIVE =
      """
      SELECT b.id, b.customer_id, b.bot_username FROM boxes b
      WHERE b.ready_at IS NOT NULL AND b.ready_at > now() - interval '1 day'
        AND b.destroyed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM notifications n
                        WHERE n.dedupe_key = 'agent_live:' || b.id::text)
      LIMIT 100\
      """;

  private final Database database;
  private final CustomerStore customers;
  private final NotificationStore notifications;
  private final Mails mails;

  public AgentLiveNotices(
      Database database, CustomerStore customers, NotificationStore notifications, Mails mails) {
    this.database = database;
    this.customers = customers;
    this.notifications = notifications;
    this.mails = mails;
  }

  /** One pass; how many mails were enqueued. */
  public int run() {
    record Live(UUID box, UUID customer, String bot) {}
    List<Live> live;
    try (Stream<DbRow> rows = database.execute().query(NEWLY_LIVE)) {
      live =
          rows.map(
                  row ->
                      new Live(
                          Rows.uuid(row, "id"),
                          Rows.uuid(row, "customer_id"),
                          Rows.string(row, "bot_username")))
              .toList();
    }
    int enqueued = 0;
    for (Live box : live) {
      enqueued +=
          customers
                  .find(database.execute(), box.customer())
                  .flatMap(
                      customer ->
                          notifications.enqueue(
                              database.execute(),
                              mails.agentLive(customer, box.bot(), box.box().toString())))
                  .isPresent()
              ? 1
              : 0;
    }
    return enqueued;
  }
}
