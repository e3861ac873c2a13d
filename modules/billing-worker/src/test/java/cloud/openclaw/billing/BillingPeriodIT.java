package cloud.openclaw.billing;

import static cloud.openclaw.billing.BillingStack.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.Subscription;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.proxy.TokenProxyClient.UsageView;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.sandbox.stripe.StripeEventRecord;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.dbclient.DbRow;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Usage periods follow the subscription, across what time brings, with one clock for Stripe's
 * stand-in, the api, the workers and the token proxy, moved by the test: renewals whose webhooks
 * and payment come late, a failed renewal through the grace period and back, a plan switch invoiced
 * with its proration first, a one-off invoice item. Requests go through the real proxy.
 */
class BillingPeriodIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final Duration GRACE = Duration.ofDays(2);
  static final Duration FINALIZE = Duration.ofHours(1);

  static BillingStack stack;

  @BeforeAll
  static void start() {
    stack =
        new BillingStack(
            postgres,
            testRedis,
            Map.of("sandbox.stripe.finalize-delay", "PT1H"),
            Map.of("billing.grace-period", GRACE.toString()));
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  // A test that failed while holding Stripe's deliveries must not hold the next one's.
  @AfterEach
  void deliverWhatIsHeld() {
    stack.stripe.release(false);
  }

  /** A paying customer's agent as the proxy knows it. */
  record Agent(Customer customer, Box box, String subscription, String token) {
    Instant periodEnd() {
      return stored().currentPeriodEnd();
    }

    Subscription stored() {
      return stack.subscription(subscription);
    }
  }

  static Agent payingAgent() throws Exception {
    Customer customer = stack.pendingCustomerWithAgent();
    String sub = stack.subscribe(customer);
    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.ACTIVE);
    stack.awaitAllProcessed();
    Box box = stack.box(customer);
    return new Agent(customer, box, sub, stack.proxy.issueToken(box.id()).token());
  }

  static HttpResponse<String> chat(Agent agent, String model) throws Exception {
    String body =
        Json.write(
            Map.of(
                "model",
                model,
                "messages",
                List.of(Map.of("role", "user", "content", "hello")),
                "max_completion_tokens",
                64));
    return BillingStack.HTTP.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + stack.proxyService.port() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + agent.token())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A request admitted and answered; the tokens it used. */
  static long admitted(Agent agent) throws Exception {
    HttpResponse<String> response = chat(agent, "kimi-k2.6");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body()).path("usage").path("total_tokens").asLong();
  }

  /** The models the proxy offers the agent now: its plan's. */
  static String models(Agent agent) throws Exception {
    return BillingStack.HTTP
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + stack.proxyService.port() + "/v1/models"))
                .header("Authorization", "Bearer " + agent.token())
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static UsageView usage(Agent agent) {
    return stack.proxy.usage(agent.customer().id());
  }

  // A whole answer reaches the client just before its usage is counted.
  static void awaitUsed(Agent agent, long used) {
    await().atMost(WAIT).until(() -> usage(agent).used() == used);
  }

  /** The stand-in's clock, and everyone's, reaches {@code at}; what Stripe had due happens. */
  static void advanceTo(Instant at) {
    stack.clock.advanceTo(at);
    stack.stripe.runDue();
  }

  static JsonNode latest(String type, String containing) throws Exception {
    return Json.MAPPER.readTree(stack.event(type, containing).json()).path("data").path("object");
  }

  static List<String> processedTypes(String containing) {
    try (Stream<DbRow> rows =
        stack
            .database
            .execute()
            .query(
                "SELECT type FROM stripe_events WHERE processed_at IS NOT NULL"
                    + " AND payload::text LIKE ? ORDER BY created, received_at",
                "%" + containing + "%")) {
      return rows.map(row -> row.column("type").getString()).toList();
    }
  }

  @Test
  void aRenewalWhoseWebhooksAndPaymentComeLateKeepsEveryRequestAdmittedAndResetsUsageOnce()
      throws Exception {
    Agent agent = payingAgent();
    Instant end = agent.periodEnd();
    long first = admitted(agent);
    awaitUsed(agent, first);

    // From here on Stripe's events reach us late: the renewal is known only at the end.
    stack.stripe.hold();
    advanceTo(end.minusSeconds(5));
    long last = admitted(agent);
    awaitUsed(agent, first + last);
    advanceTo(end);
    assertThat(stack.stripe.events("invoice.created").getLast().json())
        .contains(agent.subscription());

    long renewed = admitted(agent);
    awaitUsed(agent, renewed);
    assertThat(usage(agent).periodStart()).isEqualTo(end);

    // An hour later the draft is finalized and paid; we still know nothing of it.
    advanceTo(end.plus(FINALIZE));
    long more = admitted(agent);
    awaitUsed(agent, renewed + more);

    stack.stripe.release(false);
    stack.awaitAllProcessed();

    assertThat(processedTypes(agent.subscription()))
        .contains("customer.subscription.updated", "invoice.created", "invoice.paid");
    long stripesEnd =
        latest("customer.subscription.updated", agent.subscription())
            .path("items")
            .path("data")
            .path(0)
            .path("current_period_end")
            .asLong();
    UsageView confirmed = usage(agent);
    assertThat(confirmed.periodStart()).isEqualTo(end);
    assertThat(confirmed.periodEnd()).isEqualTo(Instant.ofEpochSecond(stripesEnd));
    assertThat(confirmed.allowance()).isEqualTo(5_000_000L);
    assertThat(confirmed.used()).isEqualTo(renewed + more);
    long after = admitted(agent);
    awaitUsed(agent, renewed + more + after);
    UsageStore periods = new UsageStore(stack.database);
    await()
        .atMost(WAIT)
        .until(
            () ->
                periods.listPeriods(stack.database.execute(), agent.customer().id(), 10).stream()
                    .map(UsageMonthly::usedTokens)
                    .toList()
                    .equals(List.of(renewed + more + after, first + last)));
  }

  @Test
  void theDevModeReportAfterTheRenewalsDraftAndAFailedChargeTheProxyAdmitsUntilGraceEnds()
      throws Exception {
    Agent agent = payingAgent();
    Instant end = agent.periodEnd();
    admitted(agent);
    stack.stripe.failPayment(agent.subscription());

    advanceTo(end);
    stack.awaitAllProcessed();

    JsonNode renewal = latest("customer.subscription.updated", agent.subscription());
    assertThat(renewal.at("/items/data/0/current_period_start").asLong())
        .isEqualTo(end.getEpochSecond());
    assertThat(latest("invoice.created", agent.subscription()).path("status").asText())
        .isEqualTo("draft");
    admitted(agent);
    assertThat(usage(agent).periodStart()).isEqualTo(end);

    advanceTo(end.plus(FINALIZE));
    stack.awaitAllProcessed();

    JsonNode failed = latest("invoice.payment_failed", agent.subscription());
    assertThat(Instant.ofEpochSecond(failed.path("next_payment_attempt").asLong()))
        .isEqualTo(end.plus(FINALIZE).plus(Duration.ofDays(3)));
    assertThat(stack.status(agent.customer())).isEqualTo(CustomerStatus.PAST_DUE);
    admitted(agent);

    advanceTo(end.plus(FINALIZE).plus(GRACE).minus(Duration.ofMinutes(1)));
    admitted(agent);
    assertThat(stack.status(agent.customer())).isEqualTo(CustomerStatus.PAST_DUE);

    advanceTo(end.plus(FINALIZE).plus(GRACE));
    await().atMost(WAIT).until(() -> chat(agent, "kimi-k2.6").statusCode() == 403);
    assertThat(chat(agent, "kimi-k2.6").body()).contains("account_inactive");
  }

  @Test
  void aFailedRenewalServesThroughTheGracePeriodSuspendsAfterAndALaterPaymentRestores()
      throws Exception {
    Agent agent = payingAgent();
    Instant end = agent.periodEnd();
    stack.stripe.failPayment(agent.subscription());
    advanceTo(end.plus(FINALIZE));
    stack.awaitAllProcessed();
    await().atMost(WAIT).until(() -> stack.mailsTo(agent.customer(), "payment failed") == 1);
    admitted(agent);

    advanceTo(end.plus(FINALIZE).plus(GRACE));
    await().atMost(WAIT).until(() -> stack.status(agent.customer()) == CustomerStatus.SUSPENDED);
    assertThat(stack.box(agent.customer()).desiredState()).isEqualTo(BoxDesiredState.SUSPENDED);
    assertThat(stack.jobs(agent.box())).containsExactly("provision", "suspend");
    await().atMost(WAIT).until(() -> stack.mailsTo(agent.customer(), "paused") == 1);
    await().atMost(WAIT).until(() -> chat(agent, "kimi-k2.6").statusCode() == 403);

    // The card works again; Stripe's next retry, three days after the failure, is paid.
    stack.stripe.fixPayment(agent.subscription());
    advanceTo(end.plus(FINALIZE).plus(Duration.ofDays(3)));
    stack.awaitAllProcessed();

    assertThat(latest("invoice.paid", agent.subscription()).path("attempt_count").asInt())
        .isEqualTo(2);
    await().atMost(WAIT).until(() -> stack.status(agent.customer()) == CustomerStatus.ACTIVE);
    assertThat(stack.box(agent.customer()).desiredState()).isEqualTo(BoxDesiredState.RUNNING);
    assertThat(stack.jobs(agent.box())).containsExactly("provision", "suspend", "reactivate");
    await().atMost(WAIT).until(() -> chat(agent, "kimi-k2.6").statusCode() == 200);
    assertThat(usage(agent).periodStart()).isEqualTo(end);
    assertThat(stack.mailsTo(agent.customer(), "payment failed")).isEqualTo(1);
  }

  @Test
  void aPlanSwitchInvoicedWithItsProrationFirstKeepsThePeriodAndAppliesTheNewPlansLimits()
      throws Exception {
    Agent agent = payingAgent();
    long used = admitted(agent);
    awaitUsed(agent, used);
    UsageView before = usage(agent);
    assertThat(chat(agent, "kimi-k3").statusCode()).isEqualTo(404);

    stack.clock.advance(Duration.ofDays(10));
    stack.stripe.update(agent.subscription(), "price_pro", null);
    stack.awaitAllProcessed();

    JsonNode proration = latest("invoice.paid", agent.subscription());
    assertThat(proration.path("billing_reason").asText()).isEqualTo("subscription_update");
    JsonNode firstLine = proration.path("lines").path("data").path(0);
    assertThat(firstLine.at("/parent/subscription_item_details/proration").asBoolean()).isTrue();
    assertThat(Instant.ofEpochSecond(firstLine.at("/period/start").asLong()))
        .isAfter(before.periodStart());
    await()
        .atMost(WAIT)
        .until(
            () -> "pro".equals(stack.customers.find(agent.customer().id()).orElseThrow().plan()));
    await().atMost(WAIT).until(() -> models(agent).contains("kimi-k3"));
    HttpResponse<String> onPro = chat(agent, "kimi-k3");
    assertThat(onPro.statusCode()).as(onPro.body()).isEqualTo(200);
    long proTokens = Json.MAPPER.readTree(onPro.body()).path("usage").path("total_tokens").asLong();
    awaitUsed(agent, used + proTokens);
    UsageView after = usage(agent);
    assertThat(after.periodStart()).isEqualTo(before.periodStart());
    assertThat(after.periodEnd()).isEqualTo(before.periodEnd());
    assertThat(after.allowance()).isEqualTo(25_000_000L);
  }

  @Test
  void aOneOffInvoiceItemIsNoErrorAndNoRetryAndMovesNoPeriod() throws Exception {
    Agent agent = payingAgent();
    UsageView before = usage(agent);

    String invoice = stack.stripe.invoiceItem(agent.subscription(), 500, "Setup");
    stack.awaitAllProcessed();

    List<StripeEventRecord> events =
        stack.stripe.events().stream().filter(e -> e.json().contains(invoice)).toList();
    assertThat(events).extracting(StripeEventRecord::type).contains("invoice.paid");
    for (StripeEventRecord event : events) {
      DbRow row =
          stack
              .database
              .execute()
              .get("SELECT attempts, last_error FROM stripe_events WHERE id = ?", event.id())
              .orElseThrow();
      assertThat(row.column("attempts").getInt()).as(event.type()).isZero();
      assertThat(row.column("last_error").getString()).as(event.type()).isNull();
    }
    UsageView after = usage(agent);
    assertThat(after.periodStart()).isEqualTo(before.periodStart());
    assertThat(after.periodEnd()).isEqualTo(before.periodEnd());
    admitted(agent);
  }
}
