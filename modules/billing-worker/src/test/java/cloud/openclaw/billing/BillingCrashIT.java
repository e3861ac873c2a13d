package cloud.openclaw.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.api.auth.SigningKeys;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.sandbox.stripe.StripeEventRecord;
import cloud.openclaw.sandbox.stripe.StripeStandIn;
import cloud.openclaw.testkit.JavaProcess;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import io.helidon.dbclient.DbRow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api and the billing worker as processes of their own, both killed (kill -9) in the middle of
 * a burst of Stripe webhooks and started again: Stripe's redeliveries (the sandbox's, at least once
 * with backoff) and the stored events bring every payment to its effect exactly once: the customer
 * active, one subscription, one provision job, one billing period, no notification twice.
 */
class BillingCrashIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  static final String WEBHOOK_SECRET = "whsec_billing_crash_it";
  static final String INTERNAL_TOKEN = "internal-token-for-crash-tests-0123";
  static final Duration START = Duration.ofSeconds(90);
  static final int CUSTOMERS = 6;
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  static Database database;
  static Sandbox sandbox;
  static StripeStandIn stripe;
  static TestTokenProxy.Started proxy;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    sandbox =
        TestServices.sandbox(
            Map.of(
                "sandbox.stripe.webhook-secret", WEBHOOK_SECRET,
                "sandbox.stripe.retry-base", "200ms",
                "sandbox.stripe.max-attempts", "30"));
    stripe = sandbox.stripe();
    proxy = TestTokenProxy.start(postgres, redis, sandbox.port());
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(proxy, sandbox, database);
  }

  @Test
  void aBurstOfWebhooksCutByKillsReachesEveryEffectExactlyOnce() throws Exception {
    Map<String, String> environment = environment();
    String api = "http://127.0.0.1:" + environment.get("OPENCLAW_API_PORT");
    stripe.webhook(api + "/stripe/webhook", WEBHOOK_SECRET);
    List<Customer> customers = new ArrayList<>();
    int deliveredBeforeKill;
    long storedUnprocessedAtKill;
    try (JavaProcess apiProcess = launch("cloud.openclaw.api.Main", environment, "api-1.log");
        JavaProcess worker = launch(Main.class.getName(), environment, "worker-1.log")) {
      awaitHealthy(apiProcess, api);
      awaitHealthy(worker, workerUrl(environment));
      // The payments' events wait in Stripe, then come all at once.
      stripe.hold();
      for (int i = 0; i < CUSTOMERS; i++) {
        Customer customer = pendingCustomerWithAgent();
        customers.add(customer);
        pay(api, customer);
      }
      int events = stripe.events().size();
      stripe.release(false);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> stripe.events().stream().filter(e -> delivered(e) > 0).count() >= 4);
      apiProcess.kill();
      worker.kill();
      deliveredBeforeKill = (int) stripe.events().stream().filter(e -> delivered(e) > 0).count();
      storedUnprocessedAtKill =
          count("SELECT count(*) FROM stripe_events WHERE processed_at IS NULL");
      assertThat(deliveredBeforeKill).as("killed mid-burst").isLessThan(events);
    }

    Instant restarted = Instant.now();
    try (JavaProcess apiProcess = launch("cloud.openclaw.api.Main", environment, "api-2.log");
        JavaProcess worker = launch(Main.class.getName(), environment, "worker-2.log")) {
      awaitHealthy(apiProcess, api);
      awaitHealthy(worker, workerUrl(environment));
      List<String> made = stripe.events().stream().map(StripeEventRecord::id).toList();
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  made.stream().allMatch(id -> stripe.deliveries(id) > 0)
                      && count("SELECT count(*) FROM stripe_events WHERE processed_at IS NULL")
                          == 0);
      Duration recovered = Duration.between(restarted, Instant.now());

      assertThat(count("SELECT count(*) FROM stripe_events")).isEqualTo(made.size());
      CustomerStore store = new CustomerStore(database);
      for (Customer customer : customers) {
        assertThat(store.find(customer.id()).orElseThrow().status())
            .isEqualTo(CustomerStatus.ACTIVE);
        assertThat(count("SELECT count(*) FROM subscriptions WHERE customer_id = ?", customer.id()))
            .isEqualTo(1);
        assertThat(
                strings(
                    "SELECT j.type FROM operator_jobs j JOIN boxes b ON b.id = j.box_id"
                        + " WHERE b.customer_id = ?",
                    customer.id()))
            .containsExactly("provision");
        assertThat(count("SELECT count(*) FROM usage_monthly WHERE customer_id = ?", customer.id()))
            .isEqualTo(1);
        List<String> kinds =
            strings("SELECT kind FROM notifications WHERE customer_id = ?", customer.id());
        assertThat(kinds).doesNotHaveDuplicates();
      }
      long redelivered = made.stream().filter(id -> stripe.deliveries(id) > 1).count();
      System.out.printf(
          "BillingCrashIT: %d events for %d payments; %d delivered before the kill, %d stored"
              + " unprocessed at the kill; after the restart all stored once and processed in %.1f"
              + " s; %d taken twice by the api (its answer lost), each processed once%n",
          made.size(),
          CUSTOMERS,
          deliveredBeforeKill,
          storedUnprocessedAtKill,
          recovered.toMillis() / 1000.0,
          redelivered);
      apiProcess.stop(Duration.ofSeconds(30));
      worker.stop(Duration.ofSeconds(30));
    }
  }

  // --- the processes ----------------------------------------------------------------------------

  private Map<String, String> environment() {
    Map<String, String> environment = new HashMap<>();
    environment.put("OPENCLAW_DB_URL", postgres.jdbcUrl());
    environment.put("OPENCLAW_DB_USER", postgres.user());
    environment.put("OPENCLAW_DB_PASSWORD", postgres.password() == null ? "" : postgres.password());
    environment.put("OPENCLAW_DB_POOL_SIZE", "4");
    environment.put("OPENCLAW_REDIS_URL", redis.url());
    environment.put("OPENCLAW_REDIS_PREFIX", redis.prefix());
    environment.put(
        "OPENCLAW_CRYPTO_KEYS", "k:" + Base64.getEncoder().encodeToString(new byte[32]));
    environment.put("OPENCLAW_CRYPTO_ACTIVE_KEY", "k");
    environment.put("OPENCLAW_STRIPE_SECRET_KEY", "sk_test_crash_it");
    environment.put("OPENCLAW_STRIPE_API_BASE", "http://127.0.0.1:" + sandbox.port() + "/stripe");
    environment.put(
        "OPENCLAW_TELEGRAM_API_ROOT", "http://127.0.0.1:" + sandbox.port() + "/telegram");
    int apiPort = TestServices.freePort();
    environment.put("OPENCLAW_API_HOST", "127.0.0.1");
    environment.put("OPENCLAW_API_PORT", Integer.toString(apiPort));
    environment.put("OPENCLAW_API_PUBLIC_URL", "http://127.0.0.1:" + apiPort);
    environment.put("OPENCLAW_API_INTERNAL_TOKEN", INTERNAL_TOKEN);
    environment.put(
        "OPENCLAW_API_AUTH_JWT_KEYS", "k1:" + SigningKeys.encode(SigningKeys.generate()));
    environment.put("OPENCLAW_API_AUTH_JWT_ACTIVE_KEY", "k1");
    environment.put("OPENCLAW_API_AUTH_ADMINS", "admin@openclaw.test");
    environment.put("OPENCLAW_API_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET);
    environment.put("OPENCLAW_BILLING_HOST", "127.0.0.1");
    environment.put("OPENCLAW_BILLING_PORT", Integer.toString(TestServices.freePort()));
    environment.put("OPENCLAW_BILLING_TOKEN_PROXY_INTERNAL_URL", proxy.internalUrl());
    environment.put("OPENCLAW_BILLING_TOKEN_PROXY_INTERNAL_TOKEN", TestTokenProxy.INTERNAL_TOKEN);
    environment.put("OPENCLAW_BILLING_EVENTS_POLL_INTERVAL", "200ms");
    environment.put("OPENCLAW_BILLING_EVENTS_RETRY_BASE", "200ms");
    environment.put("OPENCLAW_BILLING_EVENTS_RETRY_MAX", "PT1S");
    environment.put("OPENCLAW_BILLING_MAIL_HOST", "127.0.0.1");
    environment.put("OPENCLAW_BILLING_MAIL_PORT", Integer.toString(sandbox.mail().port()));
    environment.put("OPENCLAW_BILLING_MAIL_POLL_INTERVAL", "200ms");
    return environment;
  }

  private static String workerUrl(Map<String, String> environment) {
    return "http://127.0.0.1:" + environment.get("OPENCLAW_BILLING_PORT");
  }

  /** Starts a service's main in a JVM of its own; both services start at once, to save time. */
  private JavaProcess launch(String mainClass, Map<String, String> environment, String log) {
    return JavaProcess.start(mainClass, dir, environment, dir.resolve(log));
  }

  private static void awaitHealthy(JavaProcess process, String base) {
    process.awaitAnswering(base + "/observe/health", START);
  }

  // --- customers and payments ---------------------------------------------------------------

  private static Customer pendingCustomerWithAgent() {
    Customer customer =
        new CustomerStore(database)
            .create(
                database.execute(),
                new NewCustomer("c" + UUID.randomUUID() + "@example.com", null, null, "starter"));
    SecretBox secrets = new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32])));
    new BoxStore(database, secrets)
        .create(database.execute(), TestTokenProxy.newBox(customer.id(), BoxRuntime.KUBERNETES));
    return customer;
  }

  /** Checkout through the api, paid on the sandbox's hosted page. */
  private static void pay(String api, Customer customer) throws Exception {
    HttpResponse<String> session =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api + "/billing/checkout"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Json.write(
                            Map.of("customerId", customer.id().toString(), "plan", "starter"))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
    String url = Json.MAPPER.readTree(session.body()).path("url").asText();
    HttpResponse<String> paid =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/pay"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("card=ok"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(paid.statusCode()).isEqualTo(303);
  }

  private static int delivered(StripeEventRecord event) {
    return stripe.deliveries(event.id());
  }

  private static long count(String sql, Object... params) {
    return database.execute().get(sql, params).orElseThrow().column(1).getLong();
  }

  private static List<String> strings(String sql, Object... params) {
    try (Stream<DbRow> rows = database.execute().query(sql, params)) {
      return rows.map(row -> row.column(1).getString()).collect(Collectors.toList());
    }
  }
}
