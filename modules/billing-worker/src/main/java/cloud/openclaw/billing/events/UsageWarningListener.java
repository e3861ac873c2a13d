package cloud.openclaw.billing.events;

import cloud.openclaw.billing.Mails;
import cloud.openclaw.billing.telegram.ChatNotices;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.redis.StreamGroup;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.NotificationStore;
import cloud.openclaw.platform.store.UsageStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Reads the token proxy's usage warnings (stream {@code usage:warnings}: 80% and 100% of the
 * allowance) and puts one email and one Telegram notice per customer, period and share into the
 * outbox. An entry is acknowledged only after its mail is enqueued; entries of a worker that died
 * are taken over.
 */
public final class UsageWarningListener implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UsageWarningListener.class.getName());
  private static final Duration RECLAIM_AFTER = Duration.ofMinutes(1);

  private final Database database;
  private final StreamGroup group;
  private final CustomerStore customers;
  private final NotificationStore notifications;
  private final Mails mails;
  private final ChatNotices chat;
  private final UsageStore usage;
  private final String consumer;
  private Periodic loop;

  public UsageWarningListener(
      Database database,
      Redis redis,
      CustomerStore customers,
      NotificationStore notifications,
      Mails mails,
      ChatNotices chat,
      String consumer) {
    this.database = database;
    this.group = new StreamGroup(redis, redis.key("usage", "warnings"), "billing");
    this.customers = customers;
    this.notifications = notifications;
    this.mails = mails;
    this.chat = chat;
    this.usage = new UsageStore(database);
    this.consumer = consumer;
  }

  public UsageWarningListener start() {
    loop = Periodic.repeat("usage-warnings", Duration.ofSeconds(1), this::pass);
    return this;
  }

  private void pass() {
    group.ensure();
    List<StreamEntry> entries = new ArrayList<>(group.reclaim(consumer, RECLAIM_AFTER, 50));
    entries.addAll(group.readNew(consumer, 50, Duration.ofSeconds(1)));
    List<StreamEntryID> done = new ArrayList<>();
    for (StreamEntry entry : entries) {
      handle(entry);
      done.add(entry.getID());
    }
    group.ack(done);
  }

  private void handle(StreamEntry entry) {
    String customerId = entry.getFields().get("customerId");
    String periodStart = entry.getFields().get("periodStart");
    int percent = Integer.parseInt(entry.getFields().getOrDefault("percent", "80"));
    if (customerId == null || periodStart == null) {
      LOG.warning("usage warning " + entry.getID() + " without customer or period: skipped");
      return;
    }
    UUID id = UUID.fromString(customerId);
    Instant renewsAt =
        usage.period(id, Instant.parse(periodStart)).map(UsageMonthly::periodEnd).orElse(null);
    customers
        .find(database.execute(), id)
        .filter(customer -> !customer.isPlatform())
        .ifPresent(
            customer ->
                database.inTransaction(
                    tx -> {
                      notifications.enqueue(
                          tx.execute(), mails.usageWarning(customer, periodStart, percent));
                      chat.usage(
                          tx.execute(), customer, Instant.parse(periodStart), percent, renewsAt);
                      return null;
                    }));
  }

  @Override
  public void close() {
    if (loop != null) {
      loop.close();
    }
  }
}
