package cloud.openclaw.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.api.ApiMetrics;
import cloud.openclaw.api.stripe.StripeRoutes;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.Subscription;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.SubscriptionStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.sandbox.mail.MailCatcher;
import cloud.openclaw.sandbox.stripe.StripeEventRecord;
import cloud.openclaw.sandbox.stripe.StripeStandIn;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.testkit.TestClock;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.dbclient.DbRow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Billing's whole stack for an IT class, real: PostgreSQL and Redis of the class, the sandbox's
 * Stripe stand-in (hosted checkout, signed webhooks) and SMTP catcher, the api's webhook and
 * checkout routes, two billing workers as their Main starts them, and a token proxy. All of them
 * tell the time by one {@link TestClock}, which the class moves.
 */
final class BillingStack implements AutoCloseable {
  static final String WEBHOOK_SECRET = "whsec_billing_it";
  static final Duration WAIT = Duration.ofSeconds(20);
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  final TestClock clock = new TestClock();
  final Database database;
  final Redis redis;
  final Sandbox sandbox;
  final StripeStandIn stripe;
  final MailCatcher mail;
  final RunningService proxyService;
  final TokenProxyClient proxy;
  final Connections apiConnections;
  final RunningService api;
  final RunningService worker;
  final RunningService secondWorker;
  final CustomerStore customers;
  final BoxStore boxes;
  final SubscriptionStore subscriptions;

  /** {@code billing} overrides the workers' keys ({@code billing.grace-period}, say). */
  BillingStack(
      TestPostgres postgres,
      TestRedis testRedis,
      Map<String, String> sandboxSettings,
      Map<String, String> billing) {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    Map<String, String> sandboxConfig = new HashMap<>();
    sandboxConfig.put("sandbox.stripe.webhook-secret", WEBHOOK_SECRET);
    sandboxConfig.put("sandbox.stripe.retry-base", "200ms");
    sandboxConfig.putAll(sandboxSettings);
    sandbox = TestServices.sandbox(sandboxConfig, clock);
    stripe = sandbox.stripe();
    mail = sandbox.mail();
    TestTokenProxy.Started started =
        TestTokenProxy.start(postgres, testRedis, sandbox.port(), Map.of(), clock);
    proxyService = started.service();
    proxy = started.client();

    Map<String, String> shared = shared(postgres, testRedis);
    shared.put("billing.token-proxy.internal-url", started.internalUrl());
    shared.putAll(billing);
    Settings apiSettings = new Settings(ConfigLoader.load("api", Map.of(), shared));
    StripeRoutes.Configured routes = StripeRoutes.configure(apiSettings);
    apiConnections = Connections.open(PlatformSettings.from(apiSettings));
    api =
        HttpHost.serve(
            "api",
            new ServerSettings("127.0.0.1", 0),
            apiConnections,
            routing ->
                routes
                    .open(
                        apiConnections,
                        clock,
                        new ApiMetrics(
                            new io.micrometer.core.instrument.simple.SimpleMeterRegistry()))
                    .services()
                    .forEach(service -> routing.register(service.prefix(), service)));
    stripe.webhook("http://127.0.0.1:" + api.port() + "/stripe/webhook", WEBHOOK_SECRET);
    // Two workers, as two replicas would run: every effect must still happen once.
    worker = Main.start(ConfigLoader.load("billing-worker", Map.of(), shared), clock);
    secondWorker = Main.start(ConfigLoader.load("billing-worker", Map.of(), shared), clock);

    SecretBox secrets = new SecretBox(CryptoSettings.from(apiSettings));
    customers = new CustomerStore(database);
    boxes = new BoxStore(database, secrets);
    subscriptions = new SubscriptionStore(database);
  }

  private Map<String, String> shared(TestPostgres postgres, TestRedis testRedis) {
    Map<String, String> config = new HashMap<>();
    config.put("db.url", postgres.jdbcUrl());
    config.put("db.user", postgres.user());
    config.put("db.password", postgres.password());
    config.put("db.pool-size", "4");
    config.put("redis.url", testRedis.url());
    config.put("redis.prefix", testRedis.prefix());
    config.put("crypto.keys", "k:" + Base64.getEncoder().encodeToString(new byte[32]));
    config.put("crypto.active-key", "k");
    config.put("stripe.secret-key", "sk_test_billing_it");
    config.put("stripe.api-base", "http://127.0.0.1:" + sandbox.port() + "/stripe");
    config.put("telegram.api-root", "http://127.0.0.1:" + sandbox.port() + "/telegram");
    config.put("api.stripe.webhook-secret", WEBHOOK_SECRET);
    config.put("billing.host", "127.0.0.1");
    config.put("billing.port", "0");
    config.put("billing.token-proxy.internal-token", TestTokenProxy.INTERNAL_TOKEN);
    config.put("billing.grace-period", "PT2S");
    config.put("billing.grace-check-interval", "200ms");
    config.put("billing.events.retry-base", "200ms");
    config.put("billing.events.retry-max", "PT1S");
    config.put("billing.mail.host", "127.0.0.1");
    config.put("billing.mail.port", String.valueOf(mail.port()));
    config.put("billing.mail.poll-interval", "200ms");
    config.put("billing.mail.backoff-base", "200ms");
    config.put("billing.mail.backoff-max", "PT1S");
    return config;
  }

  @Override
  public void close() {
    TestServices.closeAll(
        secondWorker, worker, api, apiConnections, proxyService, sandbox, redis, database);
  }

  // ---- customers and their subscriptions ----

  /** A pending customer on the starter plan whose agent (box, bot) is set up: ready to pay. */
  Customer pendingCustomerWithAgent() {
    Customer customer =
        customers.create(
            database.execute(),
            new NewCustomer("c" + UUID.randomUUID() + "@example.com", null, null, "starter"));
    boxes.create(database.execute(), TestTokenProxy.newBox(customer.id(), BoxRuntime.KUBERNETES));
    return customer;
  }

  /**
   * Like {@link #pendingCustomerWithAgent}, its bot the sandbox Telegram's {@code bot}, user 42
   * allowed; {@code owner} is the customer's Telegram user (null: none linked).
   */
  Customer pendingCustomerWithBot(Bot bot, Long owner) {
    Customer customer =
        customers.create(
            database.execute(),
            new NewCustomer("c" + UUID.randomUUID() + "@example.com", owner, null, "starter"));
    boxes.create(
        database.execute(),
        TestTokenProxy.newBox(
            customer.id(), BoxRuntime.KUBERNETES, bot.id(), bot.username(), bot.token()));
    return customer;
  }

  JsonNode checkout(UUID customerId, String plan) throws Exception {
    HttpResponse<String> response =
        post(
            "http://127.0.0.1:" + api.port() + "/billing/checkout",
            Json.write(Map.of("customerId", customerId.toString(), "plan", plan)),
            Map.of());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  /** Checkout through the api, paid on the sandbox's hosted page; the subscription id. */
  String subscribe(Customer customer) throws Exception {
    JsonNode session = checkout(customer.id(), "starter");
    HttpResponse<String> paid =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(session.path("url").asText() + "/pay"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("card=ok"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(paid.statusCode()).isEqualTo(303);
    await()
        .atMost(WAIT)
        .until(() -> !subscriptions.listForCustomer(database.execute(), customer.id()).isEmpty());
    return subscriptions
        .listForCustomer(database.execute(), customer.id())
        .getFirst()
        .stripeSubscriptionId();
  }

  HttpResponse<String> post(String url, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The subscription as recorded. */
  Subscription subscription(String stripeSubscriptionId) {
    return subscriptions.findByStripeId(database.execute(), stripeSubscriptionId).orElseThrow();
  }

  CustomerStatus status(Customer customer) {
    return customers.find(customer.id()).orElseThrow().status();
  }

  Box box(Customer customer) {
    return boxes.listForCustomer(database.execute(), customer.id()).getFirst();
  }

  List<String> jobs(Box box) {
    try (Stream<DbRow> rows =
        database
            .execute()
            .query(
                "SELECT type FROM operator_jobs WHERE box_id = ? ORDER BY created_at", box.id())) {
      return rows.map(row -> row.column("type").getString()).toList();
    }
  }

  long count(String sql, Object... params) {
    return database.execute().get(sql, params).orElseThrow().column(1).getLong();
  }

  /** Every event stored has been processed (test poison events aside). */
  boolean allProcessed() {
    return count(
            "SELECT count(*) FROM stripe_events WHERE processed_at IS NULL"
                + " AND id NOT LIKE 'evt\\_poison%'")
        == 0;
  }

  /** Stripe's events up to now have all reached the worker and been processed. */
  void awaitAllProcessed() {
    List<String> made = stripe.events().stream().map(StripeEventRecord::id).toList();
    await()
        .atMost(WAIT)
        .until(() -> made.stream().allMatch(id -> stripe.deliveries(id) > 0) && allProcessed());
  }

  List<String> notificationKinds(Customer customer) {
    try (Stream<DbRow> rows =
        database
            .execute()
            .query(
                "SELECT kind FROM notifications WHERE customer_id = ? AND channel = 'email'"
                    + " ORDER BY created_at",
                customer.id())) {
      return rows.map(row -> row.column("kind").getString()).toList();
    }
  }

  long mailsTo(Customer customer, String subjectPart) {
    return mail.messages().stream()
        .filter(m -> m.to().contains(customer.email()) && m.subject().contains(subjectPart))
        .count();
  }

  /** The latest event of {@code type} whose JSON contains {@code containing}. */
  StripeEventRecord event(String type, String containing) {
    return stripe.events(type).stream()
        .filter(e -> e.json().contains(containing))
        .reduce((first, second) -> second)
        .orElseThrow();
  }
}
