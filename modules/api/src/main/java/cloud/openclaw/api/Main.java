package cloud.openclaw.api;

import cloud.openclaw.api.admin.AdminService;
import cloud.openclaw.api.admin.AuditLog;
import cloud.openclaw.api.admin.ManagedBotTokens;
import cloud.openclaw.api.auth.AuthService;
import cloud.openclaw.api.auth.InternalService;
import cloud.openclaw.api.auth.LoginLimits;
import cloud.openclaw.api.auth.RequestLimit;
import cloud.openclaw.api.auth.Revocations;
import cloud.openclaw.api.auth.SessionTokens;
import cloud.openclaw.api.auth.Sessions;
import cloud.openclaw.api.auth.SignInLinks;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.OpenApiService;
import cloud.openclaw.api.me.BillingPortal;
import cloud.openclaw.api.me.BillingView;
import cloud.openclaw.api.me.BoxEvents;
import cloud.openclaw.api.me.CustomerEvents;
import cloud.openclaw.api.me.MeService;
import cloud.openclaw.api.me.UsageView;
import cloud.openclaw.api.onboarding.AgentInput;
import cloud.openclaw.api.onboarding.ChatRelay;
import cloud.openclaw.api.onboarding.OnboardingService;
import cloud.openclaw.api.onboarding.OnboardingSettings;
import cloud.openclaw.api.onboarding.WebSessions;
import cloud.openclaw.api.signup.IdempotentSignups;
import cloud.openclaw.api.signup.SignupLinks;
import cloud.openclaw.api.signup.SignupService;
import cloud.openclaw.api.stripe.StripeRoutes;
import cloud.openclaw.api.web.SiteService;
import cloud.openclaw.api.web.WebApp;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.http.Opened;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.signup.SignupFollowUps;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.KeyRotation;
import cloud.openclaw.platform.store.NotificationStore;
import cloud.openclaw.platform.store.SubscriptionStore;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.platform.telegram.TelegramBots;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The api service: sign-in, the customer and admin API, the Stripe webhook, the onboarding relay
 * and the web UI.
 */
public final class Main {
  static final String SERVICE = "api";

  /** The operator's job stream (the operator's Main names it the same). */
  static final String JOB_QUEUE = "operator";

  static final Duration EVENTS_KEEP_ALIVE = Duration.ofSeconds(15);

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /** Connects to PostgreSQL (migrated) and Redis, then serves on {@code api.host:api.port}. */
  public static RunningService start(Config config) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, "api");
    PlatformSettings platform = PlatformSettings.from(settings);
    CryptoSettings crypto = CryptoSettings.from(settings);
    ApiSettings api = ApiSettings.from(settings);
    StripeRoutes.Configured stripeSettings = StripeRoutes.configure(settings);
    Opened opened = new Opened();
    try {
      Connections connections = opened.add(Connections.open(platform));
      SecretBox secrets = new SecretBox(crypto);
      KeyRotation.requireConfiguredKeys(connections.database(), secrets);
      PrometheusMeterRegistry registry = Metrics.registry(SERVICE);
      ApiMetrics metrics = new ApiMetrics(registry);
      StripeRoutes stripe = stripeSettings.open(connections, metrics);
      List<ApiService> services =
          services(
              connections.database(),
              connections.redis(),
              platform,
              secrets,
              api,
              stripe.portal(),
              stripe,
              new TelegramBots(URI.create(settings.string("telegram.api-root"))),
              Clock.systemUTC(),
              metrics,
              opened);
      ChatRelay chat = chatRelay(connections.redis(), platform, api, opened);
      return HttpHost.start(
          SERVICE,
          server,
          connections.healthChecks(),
          registry,
          routing -> routing(routing, services, new WebApp(api.web().files())),
          List.of(chat.routing()),
          opened.all());
    } catch (RuntimeException e) {
      throw opened.closeAfter(e);
    }
  }

  /** Every route prefix of the api, wired by hand; what must be closed at stop goes to opened. */
  static List<ApiService> services(
      Database database,
      Redis redis,
      PlatformSettings platform,
      SecretBox secrets,
      ApiSettings api,
      BillingPortal portal,
      StripeRoutes stripe,
      TelegramBots telegram,
      Clock clock,
      ApiMetrics metrics,
      Opened opened) {
    CustomerStore customers = new CustomerStore(database);
    BoxStore boxes = new BoxStore(database, secrets);
    JobStore jobStore = new JobStore(database, platform.jobs().maxAttempts());
    JobQueue jobs = new JobQueue(jobStore, new JobStream(redis, JOB_QUEUE));
    UsageStore usage = new UsageStore(database);
    SubscriptionStore subscriptions = new SubscriptionStore(database);
    SignInLinks links =
        new SignInLinks(
            redis,
            customers,
            new NotificationStore(database),
            api.publicUrl(),
            api.linkTtl(),
            clock);
    Sessions sessions =
        new Sessions(
            new SessionTokens(api.signingKeys(), api.issuer(), clock),
            new Revocations(redis, database, clock),
            database,
            customers,
            api);
    LoginLimits logins =
        new LoginLimits(
            redis,
            api.loginsPerEmail(),
            api.loginsPerIp(),
            api.loginRequestersPerEmail(),
            api.loginWindow());
    List<ApiService> services = new ArrayList<>();
    services.add(new AuthService(database, customers, links, sessions, logins, api));
    services.add(
        new MeService(
            database,
            sessions,
            customers,
            boxes,
            jobStore,
            jobs,
            platform.plans(),
            new UsageView(database, usage, clock),
            new BillingView(subscriptions, api.planPrices()),
            new BoxEvents(opened.add(new CustomerEvents(redis)), EVENTS_KEEP_ALIVE),
            portal,
            api,
            new RequestLimit(
                redis, api.boxChangesPerCustomer(), api.boxChangeWindow(), "me", "box-changes")));
    services.add(
        new AdminService(
            database,
            sessions,
            customers,
            boxes,
            subscriptions,
            usage,
            jobStore,
            jobs,
            new AuditLog(database),
            new ManagedBotTokens(telegram, api.setupBotToken()),
            new KeyRotation(database, redis, secrets),
            clock));
    services.add(new InternalService(links, api.internalToken()));
    services.addAll(stripe.services());
    services.add(
        new SignupService(
            database,
            customers,
            boxes,
            platform.plans(),
            telegram,
            stripe.checkout(),
            logins,
            api.signupRuntime(),
            api.clientIpHeader(),
            new IdempotentSignups(redis),
            api.onboarding().internalToken(),
            links,
            new SignupLinks(
                redis, secrets, new NotificationStore(database), api.publicUrl(), api.linkTtl()),
            new SignupFollowUps(redis, new EventBus(redis)),
            api.origin(),
            metrics));
    OnboardingSettings onboarding = api.onboarding();
    services.add(
        new OnboardingService(
            new WebSessions(redis, onboarding.sessionTtl()),
            new RequestLimit(
                redis,
                onboarding.sessionsPerIp(),
                onboarding.sessionWindow(),
                "onboarding",
                "sessions",
                "ip"),
            "https".equals(api.publicUrl().getScheme()),
            api.clientIpHeader()));
    services.add(new OpenApiService());
    services.add(new SiteService(platform.plans(), api.planPrices(), api.web().setupBotUrl()));
    return List.copyOf(services);
  }

  /**
   * The web chat's WebSocket. Its log reads block a Redis connection per socket, so they get a pool
   * of their own, as large as the sockets allowed, closed with the service.
   */
  static ChatRelay chatRelay(
      Redis redis, PlatformSettings platform, ApiSettings api, Opened opened) {
    OnboardingSettings onboarding = api.onboarding();
    RedisSettings shared = platform.redis();
    Redis blocking =
        opened.add(
            Redis.connect(
                new RedisSettings(
                    shared.url(), shared.prefix(), Math.max(2, onboarding.maxSockets()))));
    return new ChatRelay(
        new WebSessions(redis, onboarding.sessionTtl()),
        new ConversationLog(blocking, onboarding.sessionTtl()),
        new AgentInput(onboarding.agentUrl(), onboarding.internalToken()),
        new RequestLimit(
            redis,
            onboarding.messagesPerSession(),
            onboarding.messageWindow(),
            "onboarding",
            "messages",
            "session"),
        new RequestLimit(
            redis,
            onboarding.messagesPerIp(),
            onboarding.messageWindow(),
            "onboarding",
            "messages",
            "ip"),
        onboarding.maxSockets(),
        api.origin(),
        api.clientIpHeader());
  }

  /** One HttpService per route prefix; the web app last, for whatever no API route answers. */
  static void routing(HttpRouting.Builder routing, List<ApiService> services, WebApp web) {
    services.forEach(service -> routing.register(service.prefix(), service));
    routing.register(web);
  }
}
