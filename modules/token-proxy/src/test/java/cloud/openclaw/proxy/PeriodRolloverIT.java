package cloud.openclaw.proxy;

import static cloud.openclaw.proxy.ProxyHarness.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.SubscriptionChange;
import cloud.openclaw.platform.domain.SubscriptionStatus;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.proxy.TokenProxyClient.UsageView;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.SubscriptionStore;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.testkit.TestClock;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Billing periods at the proxy across a renewal, on two replicas that tell the time by one clock
 * the test moves: the period ends, Stripe's renewal is not known yet, and the proxy goes on.
 */
class PeriodRolloverIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final Duration MONTH = Duration.ofDays(30);
  static final long ALLOWANCE = 5_000_000;

  static final TestClock clock = new TestClock();
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static Database database;
  static Sandbox sandbox;
  static RunningService replicaA;
  static RunningService replicaB;
  static TokenProxyClient internal;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    sandbox = TestServices.sandbox();
    TestTokenProxy.Started a =
        TestTokenProxy.start(postgres, testRedis, sandbox.port(), Map.of(), clock);
    replicaA = a.service();
    internal = a.client();
    replicaB = TestTokenProxy.start(postgres, testRedis, sandbox.port(), Map.of(), clock).service();
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(replicaB, replicaA, sandbox, database);
  }

  /** A paying customer with an agent, in a period that ends in a minute. */
  record Agent(UUID customer, String subscription, String token, Instant periodEnd) {}

  static Agent agentWhosePeriodEndsSoon(SubscriptionStatus status, boolean cancelAtPeriodEnd) {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    if (status == SubscriptionStatus.PAST_DUE) {
      new CustomerStore(database).setStatus(database.execute(), customer, CustomerStatus.PAST_DUE);
    }
    Instant end = clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofMinutes(1));
    Instant start = end.minus(MONTH);
    String subscription = "sub_" + UUID.randomUUID().toString().replace("-", "");
    new SubscriptionStore(database)
        .upsert(
            database.execute(),
            new SubscriptionChange(
                customer,
                subscription,
                "starter",
                status,
                start,
                end,
                cancelAtPeriodEnd,
                clock.instant()));
    internal.openPeriod(customer, start, end, ALLOWANCE);
    SecretBox secrets = new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32])));
    Box box =
        new BoxStore(database, secrets)
            .create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.LOCAL));
    return new Agent(customer, subscription, internal.issueToken(box.id()).token(), end);
  }

  static HttpResponse<String> chat(RunningService replica, Agent agent) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + replica.port() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + agent.token())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(message("hello")))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static long tokens(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return ProxyHarness.json(response).path("usage").path("total_tokens").asLong();
  }

  // A whole answer reaches the client just before its usage is counted.
  static void awaitUsed(Agent agent, long used) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> internal.usage(agent.customer()).used() == used);
  }

  static List<UsageMonthly> periods(Agent agent) {
    return new UsageStore(database).listPeriods(database.execute(), agent.customer(), 10);
  }

  @Test
  void acrossTheRenewalEveryRequestIsAdmittedAndTheAllowanceResetsOnce() throws Exception {
    Agent agent = agentWhosePeriodEndsSoon(SubscriptionStatus.ACTIVE, false);
    long before = tokens(chat(replicaA, agent)) + tokens(chat(replicaB, agent));
    awaitUsed(agent, before);

    // The period ends; Stripe's renewal has not reached us (its webhook is late).
    clock.advanceTo(agent.periodEnd());
    long after = tokens(chat(replicaA, agent)) + tokens(chat(replicaB, agent));

    awaitUsed(agent, after);
    UsageView renewed = internal.usage(agent.customer());
    assertThat(renewed.periodStart()).isEqualTo(agent.periodEnd());
    assertThat(renewed.periodEnd()).isEqualTo(agent.periodEnd().plus(MONTH));
    assertThat(renewed.allowance()).isEqualTo(ALLOWANCE);
    assertThat(renewed.used()).isEqualTo(after);
    assertThat(periods(agent)).hasSize(2);

    // Stripe's renewal arrives, an hour late, with a period of a different length: the same
    // period (same start), Stripe's end, nothing reset.
    clock.advance(Duration.ofHours(1));
    Instant stripesEnd = agent.periodEnd().plus(Duration.ofDays(31));
    internal.openPeriod(agent.customer(), agent.periodEnd(), stripesEnd, ALLOWANCE);
    long later = tokens(chat(replicaB, agent));

    awaitUsed(agent, after + later);
    UsageView confirmed = internal.usage(agent.customer());
    assertThat(confirmed.periodStart()).isEqualTo(agent.periodEnd());
    assertThat(confirmed.periodEnd()).isEqualTo(stripesEnd);
    assertThat(confirmed.used()).isEqualTo(after + later);
    assertThat(periods(agent)).hasSize(2);
    assertThat(periods(agent).getLast().periodEnd()).isEqualTo(agent.periodEnd());
  }

  @Test
  void aPastDueCustomerWithinTheGracePeriodRenewsToo() throws Exception {
    Agent agent = agentWhosePeriodEndsSoon(SubscriptionStatus.PAST_DUE, false);
    tokens(chat(replicaA, agent));

    clock.advanceTo(agent.periodEnd().plusSeconds(5));

    tokens(chat(replicaA, agent));
    assertThat(internal.usage(agent.customer()).periodStart()).isEqualTo(agent.periodEnd());
  }

  @Test
  void aSubscriptionEndingWithItsPeriodOpensNoOtherAndASuspendedCustomerIsRefused()
      throws Exception {
    Agent ending = agentWhosePeriodEndsSoon(SubscriptionStatus.ACTIVE, true);
    Agent suspended = agentWhosePeriodEndsSoon(SubscriptionStatus.ACTIVE, false);
    tokens(chat(replicaA, ending));
    tokens(chat(replicaA, suspended));
    new CustomerStore(database)
        .setStatus(database.execute(), suspended.customer(), CustomerStatus.SUSPENDED);
    internal.customerChanged(suspended.customer());

    clock.advanceTo(ending.periodEnd().plusSeconds(5));

    TokenProxyIT.assertError(chat(replicaA, ending), 429, "insufficient_quota");
    assertThat(periods(ending)).hasSize(1);
    TokenProxyIT.assertError(chat(replicaB, suspended), 403, "account_inactive");
    assertThat(periods(suspended)).hasSize(1);
  }
}
