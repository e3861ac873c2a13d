package cloud.openclaw.billing;

import cloud.openclaw.billing.events.BillingEvents;
import cloud.openclaw.billing.events.BoxNotices;
import cloud.openclaw.billing.events.EventProcessor;
import cloud.openclaw.billing.events.GracePeriod;
import cloud.openclaw.billing.events.PastDue;
import cloud.openclaw.billing.events.UsageWarningListener;
import cloud.openclaw.billing.mail.MailSettings;
import cloud.openclaw.billing.mail.OutboxSender;
import cloud.openclaw.billing.telegram.ChatNotices;
import cloud.openclaw.billing.telegram.TelegramSender;
import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.billing.StripeEventSignal;
import cloud.openclaw.platform.billing.StripeSettings;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.http.Opened;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.KeyRotation;
import cloud.openclaw.platform.store.NotificationStore;
import cloud.openclaw.platform.store.StripeEventStore;
import cloud.openclaw.platform.store.SubscriptionStore;
import cloud.openclaw.platform.telegram.TelegramBots;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/**
 * The billing-worker service: turns stored Stripe events into subscriptions, jobs and emails
 * ({@link EventProcessor}), suspends after the grace period ({@link GracePeriod}), turns the token
 * proxy's usage warnings, newly live agents and refused bot tokens into emails, and sends the email
 * outbox over SMTP ({@link OutboxSender}). Usage, payment and suspension notices also go to the
 * owner's Telegram chat through their own bot ({@link ChatNotices}, {@link TelegramSender}).
 */
public final class Main {
  static final String SERVICE = "billing-worker";

  /** The job queue the operator consumes (the operator's {@code Main.QUEUE}). */
  static final String OPERATOR_QUEUE = "operator";

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /**
   * Connects to PostgreSQL (migrated) and Redis, starts the workers, then serves health and metrics
   * on {@code billing.host:billing.port}.
   */
  public static RunningService start(Config config) {
    return start(config, Clock.systemUTC());
  }

  /**
   * Like {@link #start(Config)}, telling the time by {@code clock} (grace periods; tests move it,
   * with the Stripe stand-in's and the token proxy's).
   */
  public static RunningService start(Config config, Clock clock) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, "billing");
    PlatformSettings platform = PlatformSettings.from(settings);
    BillingSettings billing = BillingSettings.from(settings);
    MailSettings mail = MailSettings.from(settings);
    StripeSettings stripeSettings = StripeSettings.from(settings);
    SecretBox secrets = new SecretBox(CryptoSettings.from(settings));
    Opened opened = new Opened();
    try {
      Connections connections = opened.add(Connections.open(platform));
      Database database = connections.database();
      PrometheusMeterRegistry registry = Metrics.registry(SERVICE);
      BillingMetrics metrics = new BillingMetrics(registry);
      KeyRotation.requireConfiguredKeys(database, secrets);
      CustomerStore customers = new CustomerStore(database);
      NotificationStore notifications = new NotificationStore(database);
      Mails mails = new Mails(billing.dashboardUrl());
      BoxStore boxes = new BoxStore(database, secrets);
      ChatNotices chat = new ChatNotices(boxes, notifications, billing.dashboardUrl());
      PastDue pastDue = new PastDue();
      BillingEvents handlers =
          new BillingEvents(
              customers,
              new SubscriptionStore(database),
              boxes,
              notifications,
              pastDue,
              new JobQueue(
                  new JobStore(database, platform.jobs().maxAttempts()),
                  new JobStream(connections.redis(), OPERATOR_QUEUE)),
              new TokenProxyClient(billing.tokenProxyUrl(), billing.tokenProxyToken()),
              new StripeBilling(stripeSettings),
              platform.plans(),
              mails,
              chat,
              clock);
      opened.add(
          new EventProcessor(
                  database,
                  new StripeEventStore(database),
                  handlers,
                  new StripeEventSignal(connections.redis()),
                  billing.eventPollInterval(),
                  billing.eventRetry(),
                  metrics,
                  clock)
              .start());
      GracePeriod grace =
          new GracePeriod(database, pastDue, customers, handlers, billing.gracePeriod(), clock);
      opened.add(Periodic.start("grace-period", billing.graceCheckInterval(), grace::run));
      BoxNotices boxNotices = new BoxNotices(database, customers, notifications, mails);
      opened.add(Periodic.start("box-notices", Duration.ofSeconds(5), boxNotices::run));
      opened.add(
          new UsageWarningListener(
                  database,
                  connections.redis(),
                  customers,
                  notifications,
                  mails,
                  chat,
                  consumerName())
              .start());
      opened.add(new OutboxSender(database, mail, metrics).start());
      opened.add(
          new TelegramSender(database, boxes, new TelegramBots(billing.telegramApiRoot()), mail)
              .start());
      return HttpHost.start(
          SERVICE, server, connections.healthChecks(), registry, Main::routing, opened.all());
    } catch (RuntimeException e) {
      throw opened.closeAfter(e);
    }
  }

  static void routing(HttpRouting.Builder routing) {
    // Health and metrics come from HttpHost; the workers have no routes of their own.
  }

  private static String consumerName() {
    String host = System.getenv().getOrDefault("HOSTNAME", "billing");
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
