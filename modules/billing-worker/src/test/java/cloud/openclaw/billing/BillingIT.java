package cloud.openclaw.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.api.stripe.StripeRoutes;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.SubscriptionStatus;
import cloud.openclaw.platform.events.EventBus;
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
import cloud.openclaw.proxy.limits.UsageWarnings;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.sandbox.mail.MailCatcher;
import cloud.openclaw.sandbox.stripe.StripeEventRecord;
import cloud.openclaw.sandbox.stripe.StripeStandIn;
import cloud.openclaw.sandbox.stripe.WebhookSigner;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.dbclient.DbRow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Billing end to end on real PostgreSQL and Redis: the sandbox's Stripe stand-in (hosted checkout,
 * signed webhooks, duplicates, held and reordered deliveries), the api's webhook and checkout
 * routes, two billing workers as their Main starts them, a real token proxy for usage resets, and
 * the sandbox's SMTP catcher receiving the mail.
 */
class BillingIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final String WEBHOOK_SECRET = "whsec_billing_it";
  static final Duration WAIT = Duration.ofSeconds(20);
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  static Database database;
  static Redis redis;
  static Sandbox sandbox;
  static StripeStandIn stripe;
  static MailCatcher mail;
  static RunningService proxyService;
  static TokenProxyClient proxy;
  static RunningService api;
  static Connections apiConnections;
  static RunningService worker;
  static RunningService secondWorker;
  static CustomerStore customers;
  static BoxStore boxes;
  static SubscriptionStore subscriptions;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    sandbox =
        TestServices.sandbox(
            Map.of(
                "sandbox.stripe.webhook-secret",
                WEBHOOK_SECRET,
                "sandbox.stripe.retry-base",
                "200ms"));
    stripe = sandbox.stripe();
    mail = sandbox.mail();
    TestTokenProxy.Started started = TestTokenProxy.start(postgres, testRedis, sandbox.port());
    proxyService = started.service();
    proxy = started.client();

    Map<String, String> shared = shared();
    shared.put("billing.token-proxy.internal-url", started.internalUrl());
    Settings apiSettings = new Settings(ConfigLoader.load("api", Map.of(), shared));
    StripeRoutes.Configured routes = StripeRoutes.configure(apiSettings);
    apiConnections =
        Connections.open(cloud.openclaw.platform.config.PlatformSettings.from(apiSettings));
    api =
        HttpHost.serve(
            "api",
            new cloud.openclaw.platform.config.ServerSettings("127.0.0.1", 0),
            apiConnections,
            routing ->
                routes
                    .open(apiConnections)
                    .services()
                    .forEach(service -> routing.register(service.prefix(), service)));
    stripe.webhook("http://127.0.0.1:" + api.port() + "/stripe/webhook", WEBHOOK_SECRET);
    // Two workers, as two replicas would run: every effect must still happen once.
    worker = Main.start(ConfigLoader.load("billing-worker", Map.of(), shared));
    secondWorker = Main.start(ConfigLoader.load("billing-worker", Map.of(), shared));

    SecretBox secrets = new SecretBox(CryptoSettings.from(apiSettings));
    customers = new CustomerStore(database);
    boxes = new BoxStore(database, secrets);
    subscriptions = new SubscriptionStore(database);
  }

  static Map<String, String> shared() {
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

  @AfterAll
  static void stop() {
    TestServices.closeAll(secondWorker, worker, api, proxyService, sandbox, redis, database);
  }

  // ---- fixtures ----

  /** A pending customer on the starter plan whose agent (box, bot) is set up: ready to pay. */
  static Customer pendingCustomerWithAgent() {
    Customer customer =
        customers.create(
            database.execute(),
            new NewCustomer("c" + UUID.randomUUID() + "@example.com", null, null, "starter"));
    boxes.create(database.execute(), TestTokenProxy.newBox(customer.id(), BoxRuntime.KUBERNETES));
    return customer;
  }

  static JsonNode checkout(UUID customerId, String plan) throws Exception {
    HttpResponse<String> response =
        post(
            "http://127.0.0.1:" + api.port() + "/billing/checkout",
            Json.write(Map.of("customerId", customerId.toString(), "plan", plan)),
            Map.of());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  /** Checkout through the api, paid on the sandbox's hosted page; the subscription id. */
  static String subscribe(Customer customer) throws Exception {
    JsonNode session = checkout(customer.id(), "starter");
    HttpResponse<String> paid =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(session.path("url").asText() + "/pay"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("card=ok"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(paid.statusCode()).isEqualTo(303);
    return subscriptions.listForCustomer(database.execute(), customer.id()).isEmpty()
        ? awaitSubscriptionId(customer)
        : subscriptions
            .listForCustomer(database.execute(), customer.id())
            .getFirst()
            .stripeSubscriptionId();
  }

  static String awaitSubscriptionId(Customer customer) {
    await()
        .atMost(WAIT)
        .until(() -> !subscriptions.listForCustomer(database.execute(), customer.id()).isEmpty());
    return subscriptions
        .listForCustomer(database.execute(), customer.id())
        .getFirst()
        .stripeSubscriptionId();
  }

  static HttpResponse<String> post(String url, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static CustomerStatus status(Customer customer) {
    return customers.find(customer.id()).orElseThrow().status();
  }

  static Box box(Customer customer) {
    return boxes.listForCustomer(database.execute(), customer.id()).getFirst();
  }

  static List<String> jobs(Box box) {
    try (Stream<DbRow> rows =
        database
            .execute()
            .query(
                "SELECT type FROM operator_jobs WHERE box_id = ? ORDER BY created_at", box.id())) {
      return rows.map(row -> row.column("type").getString()).toList();
    }
  }

  static long count(String sql, Object... params) {
    return database.execute().get(sql, params).orElseThrow().column(1).getLong();
  }

  static boolean allProcessed() {
    return count(
            "SELECT count(*) FROM stripe_events WHERE processed_at IS NULL"
                + " AND id NOT LIKE 'evt\\_poison%'")
        == 0;
  }

  static List<String> notificationKinds(Customer customer) {
    try (Stream<DbRow> rows =
        database
            .execute()
            .query(
                "SELECT kind FROM notifications WHERE customer_id = ? ORDER BY created_at",
                customer.id())) {
      return rows.map(row -> row.column("kind").getString()).toList();
    }
  }

  static long mailsTo(Customer customer, String subjectPart) {
    return mail.messages().stream()
        .filter(m -> m.to().contains(customer.email()) && m.subject().contains(subjectPart))
        .count();
  }

  static StripeEventRecord event(String type, String containing) {
    return stripe.events(type).stream()
        .filter(e -> e.json().contains(containing))
        .reduce((first, second) -> second)
        .orElseThrow();
  }

  // ---- the whole path ----

  @Test
  void checkoutPaidProvisionsOnceResetsUsageAndCancelDestroys() throws Exception {
    Customer customer = pendingCustomerWithAgent();
    String sub = subscribe(customer);

    Box box = box(customer);
    await().atMost(WAIT).until(() -> jobs(box).contains("provision"));
    await().atMost(WAIT).until(BillingIT::allProcessed);
    assertThat(status(customer)).isEqualTo(CustomerStatus.ACTIVE);
    assertThat(subscriptions.findByStripeId(database.execute(), sub).orElseThrow().status())
        .isEqualTo(SubscriptionStatus.ACTIVE);
    TokenProxyClient.UsageView usage = proxy.usage(customer.id());
    assertThat(usage.allowance()).isEqualTo(5_000_000L);
    assertThat(usage.periodEnd()).isAfter(Instant.now().plus(Duration.ofDays(29)));

    // Stripe delivers the completion five more times, at once: one event stored, one job.
    StripeEventRecord completed = event("checkout.session.completed", customer.id().toString());
    stripe.redeliver(completed.id(), 5);
    await().atMost(WAIT).until(() -> stripe.deliveries(completed.id()) >= 6);
    await().atMost(WAIT).until(BillingIT::allProcessed);
    assertThat(count("SELECT count(*) FROM stripe_events WHERE id = ?", completed.id()))
        .isEqualTo(1);
    assertThat(jobs(box)).containsExactly("provision");

    // The operator brings the box up: the customer hears once that the agent is live.
    boxes.markObserved(database.execute(), box.id(), BoxObservedState.RUNNING, null);
    await().atMost(WAIT).until(() -> mailsTo(customer, "live") == 1);

    stripe.cancel(sub);

    await().atMost(WAIT).until(() -> jobs(box).contains("destroy"));
    assertThat(jobs(box)).containsExactly("provision", "destroy");
    assertThat(status(customer)).isEqualTo(CustomerStatus.CANCELLED);
    assertThat(box(customer).desiredState()).isEqualTo(BoxDesiredState.DESTROYED);
    await().atMost(WAIT).until(() -> mailsTo(customer, "ended") == 1);
    assertThat(mailsTo(customer, "live")).isEqualTo(1);
  }

  @Test
  void deletedDeliveredBeforeCompletedNeverProvisions() throws Exception {
    Customer customer = pendingCustomerWithAgent();
    JsonNode session = checkout(customer.id(), "starter");
    stripe.hold();
    String sub = stripe.pay(session.path("sessionId").asText());
    stripe.advanceClock(Duration.ofSeconds(10));
    stripe.cancel(sub);
    stripe.advanceClock(Duration.ofSeconds(-10)); // other tests' periods start now
    StripeEventRecord deleted = event("customer.subscription.deleted", sub);

    stripe.redeliver(deleted.id(), 1);
    await().atMost(WAIT).until(() -> status(customer) == CustomerStatus.CANCELLED);
    await().atMost(WAIT).until(BillingIT::allProcessed);
    stripe.release(true);
    StripeEventRecord completed = event("checkout.session.completed", customer.id().toString());
    await().atMost(WAIT).until(() -> stripe.deliveries(completed.id()) >= 1);
    await().atMost(WAIT).until(BillingIT::allProcessed);

    assertThat(jobs(box(customer))).containsExactly("destroy");
    assertThat(status(customer)).isEqualTo(CustomerStatus.CANCELLED);
    assertThat(subscriptions.findByStripeId(database.execute(), sub).orElseThrow().status())
        .isEqualTo(SubscriptionStatus.CANCELED);
  }

  @Test
  void aPaymentFailureOlderThanALaterPaymentChangesNothing() throws Exception {
    Customer customer = pendingCustomerWithAgent();
    String sub = subscribe(customer);
    await().atMost(WAIT).until(() -> status(customer) == CustomerStatus.ACTIVE);
    await().atMost(WAIT).until(BillingIT::allProcessed);

    stripe.hold();
    stripe.advanceClock(Duration.ofSeconds(10));
    stripe.failPayment(sub);
    stripe.advanceClock(Duration.ofSeconds(10));
    stripe.renew(sub);
    stripe.advanceClock(Duration.ofSeconds(-20)); // other tests' periods start now
    StripeEventRecord paid = event("invoice.paid", sub);
    StripeEventRecord reactivated = event("customer.subscription.updated", "\"active\"");
    stripe.redeliver(paid.id(), 1);
    stripe.redeliver(reactivated.id(), 1);
    await().atMost(WAIT).until(() -> stripe.deliveries(reactivated.id()) >= 1);
    await().atMost(WAIT).until(() -> stripe.deliveries(paid.id()) >= 1);
    await().atMost(WAIT).until(BillingIT::allProcessed);
    stripe.release(false);
    StripeEventRecord failed = event("invoice.payment_failed", sub);
    await().atMost(WAIT).until(() -> stripe.deliveries(failed.id()) >= 1);
    await().atMost(WAIT).until(BillingIT::allProcessed);

    assertThat(status(customer)).isEqualTo(CustomerStatus.ACTIVE);
    assertThat(subscriptions.findByStripeId(database.execute(), sub).orElseThrow().status())
        .isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(notificationKinds(customer)).doesNotContain("payment_failed", "suspended");
    assertThat(jobs(box(customer))).containsExactly("provision");
  }

  @Test
  void aFailedPaymentWarnsThenSuspendsAfterGraceAndPayingReactivates() throws Exception {
    Customer customer = pendingCustomerWithAgent();
    String sub = subscribe(customer);
    await().atMost(WAIT).until(() -> status(customer) == CustomerStatus.ACTIVE);

    stripe.failPayment(sub);

    await().atMost(WAIT).until(() -> mailsTo(customer, "payment failed") == 1);
    await().atMost(WAIT).until(() -> status(customer) == CustomerStatus.SUSPENDED);
    Box box = box(customer);
    assertThat(box.desiredState()).isEqualTo(BoxDesiredState.SUSPENDED);
    assertThat(jobs(box)).containsExactly("provision", "suspend");
    await().atMost(WAIT).until(() -> mailsTo(customer, "paused") == 1);

    stripe.renew(sub);

    await().atMost(WAIT).until(() -> jobs(box).contains("reactivate"));
    assertThat(status(customer)).isEqualTo(CustomerStatus.ACTIVE);
    assertThat(box(customer).desiredState()).isEqualTo(BoxDesiredState.RUNNING);
    await().atMost(WAIT).until(BillingIT::allProcessed);
    assertThat(jobs(box)).containsExactly("provision", "suspend", "reactivate");
    assertThat(mailsTo(customer, "payment failed")).isEqualTo(1);
  }

  @Test
  void anUnpaidSubscriptionSuspendsAtOnce() throws Exception {
    Customer customer = pendingCustomerWithAgent();
    String sub = subscribe(customer);
    await().atMost(WAIT).until(() -> status(customer) == CustomerStatus.ACTIVE);

    stripe.markUnpaid(sub);

    await().atMost(WAIT).until(() -> status(customer) == CustomerStatus.SUSPENDED);
    assertThat(jobs(box(customer))).containsExactly("provision", "suspend");
  }

  @Test
  void aPlanChangeAppliesAtOnceAndCancelAtPeriodEndIsRecorded() throws Exception {
    Customer customer = pendingCustomerWithAgent();
    String sub = subscribe(customer);
    await().atMost(WAIT).until(() -> status(customer) == CustomerStatus.ACTIVE);
    await().atMost(WAIT).until(BillingIT::allProcessed);

    stripe.update(sub, "price_pro", null);

    await()
        .atMost(WAIT)
        .until(() -> "pro".equals(customers.find(customer.id()).orElseThrow().plan()));
    assertThat(proxy.usage(customer.id()).allowance()).isEqualTo(25_000_000L);

    stripe.update(sub, null, true);

    await()
        .atMost(WAIT)
        .until(
            () ->
                subscriptions
                    .findByStripeId(database.execute(), sub)
                    .orElseThrow()
                    .cancelAtPeriodEnd());
    assertThat(status(customer)).isEqualTo(CustomerStatus.ACTIVE);
    assertThat(jobs(box(customer))).containsExactly("provision");
  }

  @Test
  void theUsageWarningIsMailedOncePerPeriod() {
    Customer customer = pendingCustomerWithAgent();
    UsageWarnings warnings = new UsageWarnings(redis, new EventBus(redis), 90);
    Instant period = Instant.parse("2026-11-01T00:00:00Z");

    warnings.crossed(customer.id(), period);
    warnings.crossed(customer.id(), period);

    await().atMost(WAIT).until(() -> mailsTo(customer, "90%") == 1);
    assertThat(notificationKinds(customer)).containsExactly("usage_warning");
  }

  @Test
  void anEventThatKeepsFailingIsRetriedWithBackoffAndBlocksNoOther() throws Exception {
    String id = "evt_poison_" + UUID.randomUUID().toString().replace("-", "");
    String payload =
        Json.write(
            Map.of(
                "id",
                id,
                "object",
                "event",
                "type",
                "invoice.paid",
                "created",
                Instant.now().getEpochSecond() - 60,
                "data",
                Map.of(
                    "object",
                    Map.of("object", "invoice", "id", "in_x", "subscription", "sub_gone"))));
    HttpResponse<String> taken =
        deliver(
            payload, WebhookSigner.header(payload, WEBHOOK_SECRET, Instant.now().getEpochSecond()));
    assertThat(taken.statusCode()).isEqualTo(200);

    await()
        .atMost(WAIT)
        .until(() -> count("SELECT attempts::bigint FROM stripe_events WHERE id = ?", id) >= 2);
    Customer customer = pendingCustomerWithAgent();
    subscribe(customer);

    await().atMost(WAIT).until(() -> jobs(box(customer)).contains("provision"));
    assertThat(
            database
                .execute()
                .get("SELECT last_error, processed_at FROM stripe_events WHERE id = ?", id)
                .orElseThrow()
                .column("last_error")
                .getString())
        .contains("sub_gone");
    assertThat(stored(id)).isEqualTo(1);
  }

  // ---- the webhook endpoint's refusals ----

  static String fakeEvent(String id) {
    return Json.write(
        Map.of(
            "id",
            id,
            "object",
            "event",
            "type",
            "invoice.paid",
            "created",
            Instant.now().getEpochSecond(),
            "api_version",
            StripeStandIn.API_VERSION,
            "data",
            Map.of("object", Map.of("object", "invoice", "id", "in_x"))));
  }

  static HttpResponse<String> deliver(String payload, String signature) throws Exception {
    return post(
        "http://127.0.0.1:" + api.port() + "/stripe/webhook",
        payload,
        signature == null ? Map.of() : Map.of("Stripe-Signature", signature));
  }

  static long stored(String id) {
    return count("SELECT count(*) FROM stripe_events WHERE id = ?", id);
  }

  @Test
  void badSignaturesStaleTimestampsAndMalformedBodiesAre400AndStoreNothing() throws Exception {
    long now = Instant.now().getEpochSecond();
    String id = "evt_refused_" + UUID.randomUUID().toString().replace("-", "");
    String payload = fakeEvent(id);

    assertThat(deliver(payload, WebhookSigner.header(payload, "whsec_wrong", now)).statusCode())
        .isEqualTo(400);
    assertThat(deliver(payload, null).statusCode()).isEqualTo(400);
    assertThat(
            deliver(payload + " ", WebhookSigner.header(payload, WEBHOOK_SECRET, now)).statusCode())
        .isEqualTo(400);
    HttpResponse<String> replay =
        deliver(payload, WebhookSigner.header(payload, WEBHOOK_SECRET, now - 301));
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(replay.body()).path("error").path("code").asText())
        .isNotBlank();
    String malformed = "{\"id\": \"evt_x\", \"type\":";
    assertThat(
            deliver(malformed, WebhookSigner.header(malformed, WEBHOOK_SECRET, now)).statusCode())
        .isEqualTo(400);
    String notAnEvent = "{\"hello\": 1}";
    assertThat(
            deliver(notAnEvent, WebhookSigner.header(notAnEvent, WEBHOOK_SECRET, now)).statusCode())
        .isEqualTo(400);
    assertThat(stored(id)).isZero();
    assertThat(count("SELECT count(*) FROM stripe_events WHERE id = 'evt_x'")).isZero();

    // The same event signed properly and within the tolerance is taken, once.
    HttpResponse<String> first =
        deliver(payload, WebhookSigner.header(payload, WEBHOOK_SECRET, now - 200));
    HttpResponse<String> again =
        deliver(payload, WebhookSigner.header(payload, WEBHOOK_SECRET, now));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(first.body()).path("duplicate").asBoolean()).isFalse();
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(again.body()).path("duplicate").asBoolean()).isTrue();
    assertThat(stored(id)).isEqualTo(1);
  }

  @Test
  void checkoutRefusesUnknownPlansCustomersAndCustomersWithoutAnAgent() throws Exception {
    String url = "http://127.0.0.1:" + api.port() + "/billing/checkout";
    Customer noAgent =
        customers.create(
            database.execute(),
            new NewCustomer("n" + UUID.randomUUID() + "@example.com", null, null, null));

    HttpResponse<String> unknownPlan =
        post(
            url,
            Json.write(Map.of("customerId", noAgent.id().toString(), "plan", "gold")),
            Map.of());
    HttpResponse<String> unknownCustomer =
        post(
            url,
            Json.write(Map.of("customerId", UUID.randomUUID().toString(), "plan", "pro")),
            Map.of());
    HttpResponse<String> withoutAgent =
        post(
            url,
            Json.write(Map.of("customerId", noAgent.id().toString(), "plan", "pro")),
            Map.of());
    HttpResponse<String> malformed = post(url, "{\"customerId\": 5", Map.of());

    assertThat(unknownPlan.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(unknownPlan.body()).path("error").path("field").asText())
        .isEqualTo("plan");
    assertThat(unknownCustomer.statusCode()).isEqualTo(404);
    assertThat(withoutAgent.statusCode()).isEqualTo(409);
    assertThat(malformed.statusCode()).isEqualTo(400);
  }
}
