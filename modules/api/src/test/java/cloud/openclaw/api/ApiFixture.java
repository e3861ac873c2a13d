package cloud.openclaw.api;

import cloud.openclaw.api.auth.SignInLinks;
import cloud.openclaw.api.auth.SigningKeys;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.onboarding.ChatRelay;
import cloud.openclaw.api.stripe.StripeRoutes;
import cloud.openclaw.api.web.WebApp;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.http.ErrorResponses;
import cloud.openclaw.platform.http.Opened;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.NotificationStore;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.testkit.PostgresServer;
import cloud.openclaw.testkit.RedisServer;
import cloud.openclaw.testkit.TestDatabase;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The api's services on a database and Redis prefix of their own, for a Helidon {@code @ServerTest}
 * class: made in its {@code @SetUpRoute} method (Helidon starts the server before JUnit's other
 * class extensions run, so testkit's TestPostgres/TestRedis would come too late), closed in its
 * {@code @AfterStop} method. Keys are generated here, never checked in.
 */
final class ApiFixture implements AutoCloseable {
  static final String ADMIN = "admin@openclaw.test";
  static final String INTERNAL_TOKEN = "internal-token-for-tests-0123456789";
  static final String PUBLIC_URL = "https://app.openclaw.test";
  private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime() % 1_000_000);

  final TestDatabase testDatabase;
  final String redisPrefix;
  final Connections connections;
  final Database database;
  final Redis redis;
  final ApiSettings settings;
  final PlatformSettings platform;
  final SecretBox secrets;
  final RSAPrivateCrtKey signingKey;
  final List<ApiService> services;
  final ChatRelay chat;
  final Map<String, String> config;
  final Opened opened = new Opened();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ApiMetrics metrics;

  private ApiFixture(
      Class<?> testClass, Map<String, String> extra, UnaryOperator<String> databaseUrl) {
    testDatabase = PostgresServer.shared().createDatabase(testClass.getSimpleName());
    redisPrefix =
        "t:" + testClass.getSimpleName() + ":" + Long.toHexString(System.nanoTime()) + ":";
    signingKey = SigningKeys.generate();
    config = new HashMap<>();
    config.put("db.url", databaseUrl.apply(testDatabase.jdbcUrl()));
    config.put("db.user", testDatabase.user());
    config.put("db.password", testDatabase.password() == null ? "" : testDatabase.password());
    config.put("db.pool-size", "4");
    config.put("redis.url", RedisServer.shared().url());
    config.put("redis.prefix", redisPrefix);
    config.put("crypto.keys", "k1:" + SecretBox.newKey());
    config.put("crypto.active-key", "k1");
    config.put("api.public-url", PUBLIC_URL);
    config.put("api.internal-token", INTERNAL_TOKEN);
    config.put("api.auth.jwt.keys", "test1:" + SigningKeys.encode(signingKey));
    config.put("api.auth.jwt.active-key", "test1");
    config.put("api.auth.admins", ADMIN);
    config.put("api.auth.login-limit.per-email", "1000");
    config.put("api.auth.login-limit.per-ip", "1000");
    config.put("api.onboarding.max-sockets", "8");
    // Nothing answers here: tests that need Stripe bring the sandbox's and override these.
    config.put("stripe.secret-key", "sk_test_fixture");
    config.put("stripe.api-base", "http://127.0.0.1:9");
    config.put("api.stripe.webhook-secret", "whsec_fixture");
    config.putAll(extra);
    Settings loaded = new Settings(ConfigLoader.load("api", Map.of(), config));
    platform = PlatformSettings.from(loaded);
    settings = ApiSettings.from(loaded);
    secrets = new SecretBox(CryptoSettings.from(loaded));
    connections = Connections.open(platform);
    database = connections.database();
    redis = connections.redis();
    metrics = new ApiMetrics(registry);
    StripeRoutes stripe = StripeRoutes.configure(loaded).open(connections, metrics);
    services =
        Main.services(
            database,
            redis,
            platform,
            secrets,
            settings,
            stripe.portal(),
            stripe,
            new TelegramBots(URI.create(loaded.string("telegram.api-root"))),
            Clock.systemUTC(),
            metrics,
            opened);
    chat = Main.chatRelay(redis, platform, settings, opened);
  }

  static ApiFixture start(Class<?> testClass) {
    return new ApiFixture(testClass, Map.of(), UnaryOperator.identity());
  }

  static ApiFixture start(Class<?> testClass, Map<String, String> extra) {
    return new ApiFixture(testClass, extra, UnaryOperator.identity());
  }

  /**
   * With the api reaching its database at the URL {@code databaseUrl} makes of the test database's
   * (through a {@code TcpProxy} that a test takes down).
   */
  static ApiFixture start(
      Class<?> testClass, Map<String, String> extra, UnaryOperator<String> databaseUrl) {
    return new ApiFixture(testClass, extra, databaseUrl);
  }

  /** What the real server does: the one error mapping, then the api's routes. */
  void routing(HttpRouting.Builder routing) {
    ErrorResponses.register(routing);
    Main.routing(routing, services, new WebApp(settings.web().files()));
  }

  /** The whole server as the api's Main has it: the HTTP routes and the chat's WebSocket. */
  void server(WebServerConfig.Builder server) {
    server.routing(this::routing).addRouting(chat.routing());
  }

  /** The token of a fresh sign-in link for {@code email}, as a mail would carry it. */
  String linkToken(String email) {
    SignInLinks links =
        new SignInLinks(
            redis,
            new CustomerStore(database),
            new NotificationStore(database),
            settings.publicUrl(),
            settings.linkTtl(),
            Clock.systemUTC());
    return ApiClient.tokenOf(links.mint(email).url().toString());
  }

  /** A successful request of {@code box}'s customer, as the token proxy records one. */
  static UsageEvent usageEvent(Box box, String model, long prompt, long completion, Instant at) {
    return new UsageEvent(
        UUID.randomUUID().toString(),
        box.customerId(),
        box.id(),
        model,
        prompt,
        completion,
        0,
        0,
        UsageOutcome.OK,
        false,
        10,
        5,
        at,
        null);
  }

  static String email() {
    return "customer" + SEQUENCE.incrementAndGet() + "@example.com";
  }

  /** An active customer on {@code plan}. */
  Customer customer(String plan) {
    CustomerStore customers = new CustomerStore(database);
    Customer created =
        customers.create(database.execute(), new NewCustomer(email(), null, null, plan));
    return customers.setStatus(database.execute(), created.id(), CustomerStatus.ACTIVE);
  }

  /** A live box of the customer, as the operator left it running. */
  Box box(Customer customer) {
    long botId = SEQUENCE.incrementAndGet();
    return new BoxStore(database, secrets)
        .create(
            database.execute(),
            new NewBox(
                customer.id(),
                botId,
                "bot" + botId + "_bot",
                botId + ":AAH" + UUID.randomUUID().toString().replace("-", ""),
                List.of(1000L + botId),
                "kimi-k2.6",
                ThinkingLevel.OFF,
                BoxRuntime.KUBERNETES));
  }

  @Override
  public void close() {
    try {
      // Opened closes in reverse and collects what failed as suppressed exceptions.
      RuntimeException closing = opened.closeAfter(new IllegalStateException("closing failed"));
      if (closing.getSuppressed().length > 0) {
        throw closing;
      }
      wipeRedis();
    } finally {
      connections.close();
      testDatabase.drop();
    }
  }

  private void wipeRedis() {
    String cursor = ScanParams.SCAN_POINTER_START;
    ScanParams match = new ScanParams().match(redisPrefix + "*").count(1000);
    do {
      ScanResult<String> page = redis.client().scan(cursor, match);
      if (!page.getResult().isEmpty()) {
        redis.client().del(page.getResult().toArray(String[]::new));
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
  }
}
