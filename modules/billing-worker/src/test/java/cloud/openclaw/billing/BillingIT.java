package cloud.openclaw.billing;

import static cloud.openclaw.billing.BillingStack.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.SubscriptionStatus;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.proxy.limits.UsageWarnings;
import cloud.openclaw.sandbox.stripe.StripeEventRecord;
import cloud.openclaw.sandbox.stripe.StripeStandIn;
import cloud.openclaw.sandbox.stripe.WebhookSigner;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Billing end to end on real PostgreSQL and Redis ({@link BillingStack}): checkout, duplicates,
 * held and reordered deliveries, cancellation, plan changes, mails, the webhook's refusals. What
 * time brings (renewals, failed payments, the grace period) is in {@link BillingPeriodIT}.
 */
class BillingIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static BillingStack stack;

  @BeforeAll
  static void start() {
    stack = new BillingStack(postgres, testRedis, Map.of(), Map.of());
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  // ---- the whole path ----

  @Test
  void checkoutPaidProvisionsOnceResetsUsageAndCancelDestroys() throws Exception {
    Customer customer = stack.pendingCustomerWithAgent();
    String sub = stack.subscribe(customer);

    Box box = stack.box(customer);
    await().atMost(WAIT).until(() -> stack.jobs(box).contains("provision"));
    await().atMost(WAIT).until(stack::allProcessed);
    assertThat(stack.status(customer)).isEqualTo(CustomerStatus.ACTIVE);
    // Applied, and timed from Stripe's creation of the event (never negative: one clock).
    assertThat(
            metric(
                "billing_events_total",
                "type=\"checkout.session.completed\"",
                "outcome=\"applied\""))
        .isPositive();
    assertThat(metric("billing_event_lag_seconds_count")).isPositive();
    assertThat(metric("billing_event_lag_seconds_sum")).isNotNegative();
    assertThat(stack.subscription(sub).status()).isEqualTo(SubscriptionStatus.ACTIVE);
    TokenProxyClient.UsageView usage = stack.proxy.usage(customer.id());
    assertThat(usage.allowance()).isEqualTo(5_000_000L);
    assertThat(usage.periodEnd()).isAfter(stack.clock.instant().plus(Duration.ofDays(27)));

    // Stripe delivers the completion five more times, at once: one event stored, one job.
    StripeEventRecord completed =
        stack.event("checkout.session.completed", customer.id().toString());
    stack.stripe.redeliver(completed.id(), 5);
    await().atMost(WAIT).until(() -> stack.stripe.deliveries(completed.id()) >= 6);
    await().atMost(WAIT).until(stack::allProcessed);
    assertThat(stack.count("SELECT count(*) FROM stripe_events WHERE id = ?", completed.id()))
        .isEqualTo(1);
    assertThat(stack.jobs(box)).containsExactly("provision");

    // The operator brings the box up: the customer hears once that the agent is live.
    stack.boxes.markObserved(stack.database.execute(), box.id(), BoxObservedState.RUNNING, null);
    await().atMost(WAIT).until(() -> stack.mailsTo(customer, "live") == 1);

    stack.stripe.cancel(sub);

    await().atMost(WAIT).until(() -> stack.jobs(box).contains("destroy"));
    assertThat(stack.jobs(box)).containsExactly("provision", "destroy");
    assertThat(stack.status(customer)).isEqualTo(CustomerStatus.CANCELLED);
    assertThat(stack.box(customer).desiredState()).isEqualTo(BoxDesiredState.DESTROYED);
    await().atMost(WAIT).until(() -> stack.mailsTo(customer, "ended") == 1);
    assertThat(stack.mailsTo(customer, "live")).isEqualTo(1);
  }

  @Test
  void deletedDeliveredBeforeCompletedNeverProvisions() throws Exception {
    Customer customer = stack.pendingCustomerWithAgent();
    JsonNode session = stack.checkout(customer.id(), "starter");
    stack.stripe.hold();
    String sub = stack.stripe.pay(session.path("sessionId").asText());
    stack.stripe.advanceClock(Duration.ofSeconds(10));
    stack.stripe.cancel(sub);
    stack.stripe.advanceClock(Duration.ofSeconds(-10)); // other tests' periods start now
    StripeEventRecord deleted = stack.event("customer.subscription.deleted", sub);

    stack.stripe.redeliver(deleted.id(), 1);
    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.CANCELLED);
    await().atMost(WAIT).until(stack::allProcessed);
    stack.stripe.release(true);
    StripeEventRecord completed =
        stack.event("checkout.session.completed", customer.id().toString());
    await().atMost(WAIT).until(() -> stack.stripe.deliveries(completed.id()) >= 1);
    await().atMost(WAIT).until(stack::allProcessed);

    assertThat(stack.jobs(stack.box(customer))).containsExactly("destroy");
    assertThat(stack.status(customer)).isEqualTo(CustomerStatus.CANCELLED);
    assertThat(stack.subscription(sub).status()).isEqualTo(SubscriptionStatus.CANCELED);
  }

  @Test
  void aPaymentFailureOlderThanALaterPaymentChangesNothing() throws Exception {
    Customer customer = stack.pendingCustomerWithAgent();
    String sub = stack.subscribe(customer);
    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.ACTIVE);
    stack.awaitAllProcessed();

    // The renewal's charge fails, then the card works and the invoice is paid: all held back.
    stack.stripe.hold();
    stack.stripe.failPayment(sub);
    stack.stripe.renew(sub);
    stack.clock.advance(Duration.ofHours(1));
    stack.stripe.runDue();
    stack.clock.advance(Duration.ofMinutes(1));
    stack.stripe.fixPayment(sub);
    // Stripe's created times are seconds: what comes later comes a second later at least.
    stack.clock.advance(Duration.ofSeconds(2));
    stack.stripe.payNow(sub);
    StripeEventRecord paid = stack.event("invoice.paid", sub);
    StripeEventRecord reactivated = stack.event("customer.subscription.updated", "\"active\"");
    stack.stripe.redeliver(paid.id(), 1);
    stack.stripe.redeliver(reactivated.id(), 1);
    await().atMost(WAIT).until(() -> stack.stripe.deliveries(reactivated.id()) >= 1);
    await().atMost(WAIT).until(() -> stack.stripe.deliveries(paid.id()) >= 1);
    await().atMost(WAIT).until(stack::allProcessed);
    stack.stripe.release(false);
    StripeEventRecord failed = stack.event("invoice.payment_failed", sub);
    await().atMost(WAIT).until(() -> stack.stripe.deliveries(failed.id()) >= 1);
    stack.awaitAllProcessed();

    assertThat(stack.status(customer)).isEqualTo(CustomerStatus.ACTIVE);
    assertThat(stack.subscription(sub).status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(stack.notificationKinds(customer)).doesNotContain("payment_failed", "suspended");
    assertThat(stack.jobs(stack.box(customer))).containsExactly("provision");
  }

  @Test
  void anUnpaidSubscriptionSuspendsAtOnce() throws Exception {
    Customer customer = stack.pendingCustomerWithAgent();
    String sub = stack.subscribe(customer);
    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.ACTIVE);

    stack.stripe.markUnpaid(sub);

    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.SUSPENDED);
    assertThat(stack.jobs(stack.box(customer))).containsExactly("provision", "suspend");
  }

  @Test
  void aPlanChangeAppliesAtOnceAndCancelAtPeriodEndIsRecorded() throws Exception {
    Customer customer = stack.pendingCustomerWithAgent();
    String sub = stack.subscribe(customer);
    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.ACTIVE);
    await().atMost(WAIT).until(stack::allProcessed);

    stack.stripe.update(sub, "price_pro", null);

    await()
        .atMost(WAIT)
        .until(() -> "pro".equals(stack.customers.find(customer.id()).orElseThrow().plan()));
    assertThat(stack.proxy.usage(customer.id()).allowance()).isEqualTo(25_000_000L);

    stack.stripe.update(sub, null, true);

    await().atMost(WAIT).until(() -> stack.subscription(sub).cancelAtPeriodEnd());
    assertThat(stack.status(customer)).isEqualTo(CustomerStatus.ACTIVE);
    assertThat(stack.jobs(stack.box(customer))).containsExactly("provision");
  }

  @Test
  void theUsageWarningsAreMailedOncePerPeriodAndShare() {
    Customer customer = stack.pendingCustomerWithAgent();
    UsageWarnings warnings = new UsageWarnings(stack.redis, new EventBus(stack.redis));
    Instant period = Instant.parse("2026-11-01T00:00:00Z");

    warnings.crossed(customer.id(), period, 80);
    warnings.crossed(customer.id(), period, 80);
    warnings.crossed(customer.id(), period, 100);
    warnings.crossed(customer.id(), period, 100);

    await().atMost(WAIT).until(() -> stack.mailsTo(customer, "80%") == 1);
    await().atMost(WAIT).until(() -> stack.mailsTo(customer, "used all of") == 1);
    assertThat(stack.notificationKinds(customer)).containsExactly("usage_warning", "usage_warning");
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
                stack.clock.instant().getEpochSecond() - 60,
                "data",
                Map.of(
                    "object",
                    Map.of("object", "invoice", "id", "in_x", "subscription", "sub_gone"))));
    HttpResponse<String> taken =
        deliver(
            payload,
            WebhookSigner.header(
                payload, BillingStack.WEBHOOK_SECRET, stack.clock.instant().getEpochSecond()));
    assertThat(taken.statusCode()).isEqualTo(200);

    await()
        .atMost(WAIT)
        .until(
            () -> stack.count("SELECT attempts::bigint FROM stripe_events WHERE id = ?", id) >= 2);
    Customer customer = stack.pendingCustomerWithAgent();
    stack.subscribe(customer);

    await().atMost(WAIT).until(() -> stack.jobs(stack.box(customer)).contains("provision"));
    assertThat(
            stack
                .database
                .execute()
                .get("SELECT last_error, processed_at FROM stripe_events WHERE id = ?", id)
                .orElseThrow()
                .column("last_error")
                .getString())
        .contains("sub_gone");
    assertThat(stored(id)).isEqualTo(1);
    assertThat(metric("billing_events_total", "type=\"invoice.paid\"", "outcome=\"failed\""))
        .isGreaterThanOrEqualTo(2);
  }

  /** A metric's samples with all of {@code parts} in their line, summed over both workers. */
  static double metric(String name, String... parts) throws Exception {
    double sum = 0;
    for (var worker : java.util.List.of(stack.worker, stack.secondWorker)) {
      String scrape =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              "http://127.0.0.1:" + worker.internalPort() + "/observe/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : scrape.split("\n")) {
        if ((line.startsWith(name + "{") || line.startsWith(name + " "))
            && java.util.Arrays.stream(parts).allMatch(line::contains)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sum;
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
            stack.clock.instant().getEpochSecond(),
            "api_version",
            StripeStandIn.API_VERSION,
            "data",
            Map.of("object", Map.of("object", "invoice", "id", "in_x"))));
  }

  static HttpResponse<String> deliver(String payload, String signature) throws Exception {
    return stack.post(
        "http://127.0.0.1:" + stack.api.port() + "/stripe/webhook",
        payload,
        signature == null ? Map.of() : Map.of("Stripe-Signature", signature));
  }

  static long stored(String id) {
    return stack.count("SELECT count(*) FROM stripe_events WHERE id = ?", id);
  }

  @Test
  void badSignaturesStaleTimestampsAndMalformedBodiesAre400AndStoreNothing() throws Exception {
    long now = stack.clock.instant().getEpochSecond();
    String id = "evt_refused_" + UUID.randomUUID().toString().replace("-", "");
    String payload = fakeEvent(id);

    assertThat(deliver(payload, WebhookSigner.header(payload, "whsec_wrong", now)).statusCode())
        .isEqualTo(400);
    assertThat(deliver(payload, null).statusCode()).isEqualTo(400);
    assertThat(
            deliver(payload + " ", WebhookSigner.header(payload, BillingStack.WEBHOOK_SECRET, now))
                .statusCode())
        .isEqualTo(400);
    HttpResponse<String> replay =
        deliver(payload, WebhookSigner.header(payload, BillingStack.WEBHOOK_SECRET, now - 301));
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(replay.body()).path("error").path("code").asText())
        .isNotBlank();
    String malformed = "{\"id\": \"evt_x\", \"type\":";
    assertThat(
            deliver(malformed, WebhookSigner.header(malformed, BillingStack.WEBHOOK_SECRET, now))
                .statusCode())
        .isEqualTo(400);
    String notAnEvent = "{\"hello\": 1}";
    assertThat(
            deliver(notAnEvent, WebhookSigner.header(notAnEvent, BillingStack.WEBHOOK_SECRET, now))
                .statusCode())
        .isEqualTo(400);
    assertThat(stored(id)).isZero();
    assertThat(stack.count("SELECT count(*) FROM stripe_events WHERE id = 'evt_x'")).isZero();

    // The same event signed properly and within the tolerance is taken, once.
    HttpResponse<String> first =
        deliver(payload, WebhookSigner.header(payload, BillingStack.WEBHOOK_SECRET, now - 200));
    HttpResponse<String> again =
        deliver(payload, WebhookSigner.header(payload, BillingStack.WEBHOOK_SECRET, now));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(first.body()).path("duplicate").asBoolean()).isFalse();
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(again.body()).path("duplicate").asBoolean()).isTrue();
    assertThat(stored(id)).isEqualTo(1);
  }

  @Test
  void checkoutRefusesUnknownPlansCustomersAndCustomersWithoutAnAgent() throws Exception {
    String url = "http://127.0.0.1:" + stack.api.port() + "/billing/checkout";
    Customer noAgent =
        stack.customers.create(
            stack.database.execute(),
            new NewCustomer("n" + UUID.randomUUID() + "@example.com", null, null, null));

    HttpResponse<String> unknownPlan =
        stack.post(
            url,
            Json.write(Map.of("customerId", noAgent.id().toString(), "plan", "gold")),
            Map.of());
    HttpResponse<String> unknownCustomer =
        stack.post(
            url,
            Json.write(Map.of("customerId", UUID.randomUUID().toString(), "plan", "pro")),
            Map.of());
    HttpResponse<String> withoutAgent =
        stack.post(
            url,
            Json.write(Map.of("customerId", noAgent.id().toString(), "plan", "pro")),
            Map.of());
    HttpResponse<String> malformed = stack.post(url, "{\"customerId\": 5", Map.of());

    assertThat(unknownPlan.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(unknownPlan.body()).path("error").path("field").asText())
        .isEqualTo("plan");
    assertThat(unknownCustomer.statusCode()).isEqualTo(404);
    assertThat(withoutAgent.statusCode()).isEqualTo(409);
    assertThat(malformed.statusCode()).isEqualTo(400);
  }
}
