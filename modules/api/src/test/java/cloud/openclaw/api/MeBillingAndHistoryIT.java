package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.SubscriptionChange;
import cloud.openclaw.platform.domain.SubscriptionStatus;
import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.store.SubscriptionStore;
import cloud.openclaw.platform.store.UsageStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The customer's billing summary ({@code GET /me/billing}) and tokens per month ({@code GET
 * /me/usage/history}): the session's customer's only, with nulls and zeros where there is nothing.
 */
@ServerTest
class MeBillingAndHistoryIT {
  private static final List<String> MODELS =
      List.of("kimi-k2.6", "kimi-k2.7-code", "kimi-k2.7-code-highspeed", "kimi-k3", "kimi-k3-mini");

  static ApiFixture api;
  private final ApiClient client;

  MeBillingAndHistoryIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api =
        ApiFixture.start(
            MeBillingAndHistoryIT.class, Map.of("api.plan-prices.starter", "19 EUR a month"));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  private record Signed(Customer customer, Box box, String token) {}

  private Signed customerWithBox(String plan) {
    Customer customer = api.customer(plan);
    Box box = api.box(customer);
    return new Signed(customer, box, client.signIn(customer.id()).access());
  }

  @Test
  void billingShowsThePlanItsPriceAndTheLiveSubscription() {
    Signed a = customerWithBox("starter");
    Signed b = customerWithBox("starter");
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(3));
    Instant end = start.plus(Duration.ofDays(30));
    // An ended subscription and the live one that replaced it; B's own says something else.
    subscribe(a, SubscriptionStatus.CANCELED, start.minus(Duration.ofDays(60)), start, false);
    subscribe(a, SubscriptionStatus.ACTIVE, start, end, false);
    subscribe(b, SubscriptionStatus.PAST_DUE, start.plusSeconds(7), end.plusSeconds(7), true);

    ApiClient.Answer answer = client.get("/me/billing", a.token());

    assertThat(answer.status()).isEqualTo(200);
    JsonNode billing = answer.json();
    assertThat(billing.path("plan").asText()).isEqualTo("starter");
    assertThat(billing.path("price").asText()).isEqualTo("19 EUR a month");
    assertThat(billing.path("status").asText()).isEqualTo("active");
    assertThat(billing.path("currentPeriodStart").asText()).isEqualTo(start.toString());
    assertThat(billing.path("currentPeriodEnd").asText()).isEqualTo(end.toString());
    assertThat(billing.path("cancelAtPeriodEnd").asBoolean()).isFalse();
    JsonNode bBilling = client.get("/me/billing", b.token()).json();
    assertThat(bBilling.path("status").asText()).isEqualTo("past_due");
    assertThat(bBilling.path("cancelAtPeriodEnd").asBoolean()).isTrue();
  }

  @Test
  void withoutASubscriptionOrAPriceTheyAreNull() {
    Signed none = customerWithBox("starter");
    Signed pro = customerWithBox("pro");
    // Another customer's subscription is never taken for theirs.
    subscribe(
        customerWithBox("starter"),
        SubscriptionStatus.ACTIVE,
        Instant.now().truncatedTo(ChronoUnit.SECONDS),
        Instant.now().plus(Duration.ofDays(30)),
        true);

    JsonNode billing = client.get("/me/billing", none.token()).json();

    assertThat(billing.path("plan").asText()).isEqualTo("starter");
    assertThat(billing.path("price").asText()).isEqualTo("19 EUR a month");
    for (String field : List.of("status", "currentPeriodStart", "currentPeriodEnd")) {
      assertThat(billing.has(field)).as(field).isTrue();
      assertThat(billing.path(field).isNull()).as(field).isTrue();
    }
    assertThat(billing.path("cancelAtPeriodEnd").isBoolean()).isTrue();
    assertThat(billing.path("cancelAtPeriodEnd").asBoolean()).isFalse();
    // No price is set for pro: null, not an empty string.
    JsonNode proBilling = client.get("/me/billing", pro.token()).json();
    assertThat(proBilling.path("plan").asText()).isEqualTo("pro");
    assertThat(proBilling.has("price")).isTrue();
    assertThat(proBilling.path("price").isNull()).isTrue();
  }

  @Test
  void historyIsEveryMonthOldestFirstSplitByModelFromTheCustomersEventsOnly() {
    Signed a = customerWithBox("pro");
    Signed b = customerWithBox("pro");
    YearMonth current = YearMonth.now(ZoneOffset.UTC);
    YearMonth first = current.minusMonths(11);
    YearMonth empty = current.minusMonths(3);
    // 14 months of daily rows for five models (two months before the range), none in one month.
    seedDaily(a, current.minusMonths(13), current, empty);
    // The range's edges: the last moment before it is out, its first moment is in.
    Instant rangeStart = first.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    new UsageStore(api.database)
        .recordEvents(
            List.of(
                event(a, "kimi-k2.6", 1_000_000, 0, rangeStart.minusMillis(1)),
                event(a, "kimi-k2.6", 7, 0, rangeStart),
                event(b, "someone-elses-model", 5_000, 5, Instant.now()),
                event(b, "kimi-k2.6", 9_000, 0, Instant.now())));

    ApiClient.Answer answer = client.get("/me/usage/history", a.token());

    assertThat(answer.status()).isEqualTo(200);
    JsonNode body = answer.json();
    assertThat(body.path("models").toString())
        .isEqualTo(
            "[\"kimi-k2.6\",\"kimi-k2.7-code\",\"kimi-k2.7-code-highspeed\",\"kimi-k3\","
                + "\"kimi-k3-mini\"]");
    JsonNode months = body.path("months");
    assertThat(months.size()).isEqualTo(12);
    for (int i = 0; i < 12; i++) {
      YearMonth month = first.plusMonths(i);
      JsonNode entry = months.get(i);
      assertThat(entry.path("month").asText()).isEqualTo(month.toString());
      long total = 0;
      for (int m = 0; m < MODELS.size(); m++) {
        long expected = month.equals(empty) ? 0 : DAYS_SEEDED * tokensPerDay(m);
        if (month.equals(first) && m == 0) {
          expected += 7;
        }
        assertThat(entry.path("byModel").path(MODELS.get(m)).asLong())
            .as(month + " " + MODELS.get(m))
            .isEqualTo(expected);
        assertThat(entry.path("byModel").path(MODELS.get(m)).isIntegralNumber()).isTrue();
        total += expected;
      }
      assertThat(entry.path("byModel").size()).as(month.toString()).isEqualTo(MODELS.size());
      assertThat(entry.path("tokens").asLong()).as(month.toString()).isEqualTo(total);
    }
    // B sees B's usage only; A's per-day split of the current period never names B's model.
    JsonNode bHistory = client.get("/me/usage/history?months=1", b.token()).json();
    assertThat(bHistory.path("models").toString())
        .isEqualTo("[\"kimi-k2.6\",\"someone-elses-model\"]");
    assertThat(bHistory.path("months").get(0).path("tokens").asLong()).isEqualTo(14_005);
    Instant periodStart = current.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    new UsageStore(api.database)
        .openPeriod(
            api.database.execute(),
            a.customer().id(),
            periodStart,
            current.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
            1_000_000_000L);
    JsonNode daily = client.get("/me/usage", a.token()).json().path("daily");
    assertThat(daily.size()).isPositive();
    for (JsonNode day : daily) {
      assertThat(day.path("byModel").has("someone-elses-model")).as(day.toString()).isFalse();
    }
  }

  @Test
  void aCustomerWithoutUsageGetsEveryMonthAtZero() {
    Signed a = customerWithBox("starter");

    JsonNode body = client.get("/me/usage/history?months=24", a.token()).json();

    assertThat(body.path("models").isArray()).isTrue();
    assertThat(body.path("models").size()).isZero();
    JsonNode months = body.path("months");
    assertThat(months.size()).isEqualTo(24);
    assertThat(months.get(0).path("month").asText())
        .isEqualTo(YearMonth.now(ZoneOffset.UTC).minusMonths(23).toString());
    assertThat(months.get(23).path("month").asText())
        .isEqualTo(YearMonth.now(ZoneOffset.UTC).toString());
    for (JsonNode month : months) {
      assertThat(month.path("tokens").asLong()).isZero();
      assertThat(month.path("byModel").isObject()).isTrue();
      assertThat(month.path("byModel").size()).isZero();
    }
    assertThat(client.get("/me/usage/history?months=1", a.token()).json().path("months").size())
        .isEqualTo(1);
  }

  @Test
  void monthsOutsideOneToTwentyFourAreRefusedNamingTheField() {
    Signed a = customerWithBox("starter");
    for (String months : List.of("0", "25", "-1", "abc", "1.5", "", "99999999999", "12x")) {
      ApiClient.Answer answer = client.get("/me/usage/history?months=" + months, a.token());
      assertThat(answer.status()).as(months).isEqualTo(400);
      assertThat(answer.code()).as(months).isEqualTo("invalid_input");
      assertThat(answer.field()).as(months).isEqualTo("months");
    }
  }

  private static final int DAYS_SEEDED = 28;

  /** Model {@code m}'s tokens on each day seeded (prompt plus completion). */
  private static long tokensPerDay(int m) {
    return 100L * (m + 1) + m;
  }

  /**
   * One event per model on days 1 to 28 at noon (UTC) of every month from {@code from} to {@code
   * to} but {@code skipped}: the rows a busy customer leaves, written in one statement.
   */
  private static void seedDaily(Signed a, YearMonth from, YearMonth to, YearMonth skipped) {
    List<UsageEvent> events = new ArrayList<>();
    for (YearMonth month = from; !month.isAfter(to); month = month.plusMonths(1)) {
      if (month.equals(skipped)) {
        continue;
      }
      for (int day = 1; day <= DAYS_SEEDED; day++) {
        Instant noon = month.atDay(day).atTime(12, 0).toInstant(ZoneOffset.UTC);
        for (int m = 0; m < MODELS.size(); m++) {
          events.add(event(a, MODELS.get(m), 100L * (m + 1), m, noon));
        }
      }
    }
    new UsageStore(api.database).recordEvents(events);
  }

  private static void subscribe(
      Signed customer, SubscriptionStatus status, Instant start, Instant end, boolean cancel) {
    new SubscriptionStore(api.database)
        .upsert(
            api.database.execute(),
            new SubscriptionChange(
                customer.customer().id(),
                "sub_" + UUID.randomUUID(),
                customer.customer().plan(),
                status,
                start,
                end,
                cancel,
                Instant.now()));
  }

  private static UsageEvent event(
      Signed a, String model, long prompt, long completion, Instant at) {
    return ApiFixture.usageEvent(a.box(), model, prompt, completion, at);
  }
}
