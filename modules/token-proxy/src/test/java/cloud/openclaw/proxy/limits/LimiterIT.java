package cloud.openclaw.proxy.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.PeriodRefusals;
import cloud.openclaw.platform.domain.ProxyTokenStatus;
import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.OpenAiError;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.proxy.auth.CustomerLimits;
import cloud.openclaw.proxy.auth.TokenGrant;
import cloud.openclaw.proxy.metering.UsageBuffer;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The limiter's holds on real Redis: what a request holds, settles and, if it never ends, lapses.
 */
class LimiterIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  private static Database db;
  private static Redis redis;
  private static UsageBuffer buffer;
  private static Limiter limiter;

  private CustomerLimits limits;
  private TokenGrant grant;

  @BeforeAll
  static void connect() {
    db = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    buffer = new UsageBuffer(redis);
    limiter = new Limiter(redis, new UsageStore(db), buffer, 90, Clock.systemUTC());
  }

  @AfterAll
  static void disconnect() {
    redis.close();
    db.close();
  }

  @BeforeEach
  void aCustomerWithAThousandTokens() {
    testRedis.wipe();
    Instant start = Instant.now().minus(1, ChronoUnit.DAYS);
    limits =
        new CustomerLimits(
            UUID.randomUUID(),
            true,
            "starter",
            10,
            List.of("kimi-k2.6"),
            start,
            start.plus(30, ChronoUnit.DAYS),
            1_000,
            false);
    grant =
        new TokenGrant(
            UUID.randomUUID(), UUID.randomUUID(), limits.customerId(), ProxyTokenStatus.ACTIVE);
  }

  @Test
  void aSettledRequestCountsWhatItUsedAndReleasesItsHold() {
    Admission admission = limiter.admit(grant, limits, "req_a", 500, Duration.ofMinutes(10));
    assertThat(limiter.counters(limits)).contains(new Limiter.Counters(0, 500, 0));

    limiter.settle(admission, event("req_a", 100, 20));

    assertThat(limiter.counters(limits)).contains(new Limiter.Counters(120, 0, 0));
  }

  @Test
  void theHoldOfARequestThatNeverSettledIsGivenBackOnceItLapses() {
    // A request holds the whole allowance, and its proxy dies: it never settles.
    limiter.admit(grant, limits, "req_dead", 1_000, Duration.ofMillis(300));

    // The next one waits for what is held, and gets in once the dead request's hold has lapsed.
    Admission next = limiter.admit(grant, limits, "req_next", 100, Duration.ofMinutes(10));

    assertThat(next.held()).isEqualTo(100);
    assertThat(limiter.counters(limits)).contains(new Limiter.Counters(0, 100, 0));
  }

  @Test
  void aRequestEndingAfterItsCountersWereDroppedStillLeavesItsUsageEventAndNoHalfCounters() {
    Admission admission = limiter.admit(grant, limits, "req_late", 500, Duration.ofMinutes(10));
    // Redis lost the period's counters meanwhile (or they expired): they load again from
    // PostgreSQL, which the event reaches through the stream.
    redis.client().del(admission.quotaKey());

    limiter.settle(admission, event("req_late", 100, 20));

    assertThat(limiter.counters(limits)).isEmpty();
    assertThat(redis.client().exists(admission.quotaKey())).isFalse();
    assertThat(redis.client().xlen(buffer.key())).isEqualTo(1);
  }

  @Test
  void refusalsAreCountedWithTheCountersAndTheirPeriodMarkedForTheWriter() {
    CustomerLimits onePerSecond =
        new CustomerLimits(
            limits.customerId(),
            true,
            "starter",
            1,
            limits.models(),
            limits.periodStart(),
            limits.periodEnd(),
            limits.allowance(),
            false);
    limiter.admit(grant, onePerSecond, "req_1", 1, Duration.ofMinutes(10));
    assertThatThrownBy(() -> limiter.admit(grant, onePerSecond, "req_2", 1, Duration.ofMinutes(10)))
        .isInstanceOfSatisfying(
            OpenAiError.class, e -> assertThat(e.code()).isEqualTo("rate_limit_exceeded"));
    for (int i = 0; i < 50; i++) {
      limiter.refused(onePerSecond); // bad requests, say
    }
    // The allowance spent: refused too (another token of the customer's, within its rate).
    TokenGrant other =
        new TokenGrant(
            UUID.randomUUID(), grant.boxId(), limits.customerId(), ProxyTokenStatus.ACTIVE);
    limiter.settle(
        limiter.admit(other, limits, "req_big", 1, Duration.ofMinutes(10)),
        event("req_big", 600, 400));
    assertThatThrownBy(() -> limiter.admit(other, limits, "req_3", 1, Duration.ofMinutes(10)))
        .isInstanceOfSatisfying(
            OpenAiError.class, e -> assertThat(e.code()).isEqualTo("insufficient_quota"));

    assertThat(limiter.counters(limits)).contains(new Limiter.Counters(1_000, 1, 52));
    // However many refusals, the period is one count for the writer to write.
    assertThat(limiter.takeRefusals(100))
        .containsExactly(new PeriodRefusals(limits.customerId(), limits.periodStart(), 52));
    assertThat(limiter.takeRefusals(100)).isEmpty();
  }

  @Test
  void theRefusedCountLoadsFromPostgresWithTheCountersAndNeverGoesBackThere() {
    UUID customer = TestTokenProxy.activeCustomer(db, "starter");
    UsageStore usage = new UsageStore(db);
    Instant start = limits.periodStart().truncatedTo(ChronoUnit.SECONDS);
    usage.openPeriod(db.execute(), customer, start, limits.periodEnd(), limits.allowance());
    usage.recordRefusals(List.of(new PeriodRefusals(customer, start, 5)));
    // A late writer's lower count changes nothing.
    usage.recordRefusals(List.of(new PeriodRefusals(customer, start, 3)));
    CustomerLimits ofCustomer =
        new CustomerLimits(
            customer,
            true,
            "starter",
            10,
            limits.models(),
            start,
            limits.periodEnd(),
            limits.allowance(),
            false);

    // Redis has no counters for the period (lost, or never loaded): they load, refusals included.
    limiter.refused(ofCustomer);

    assertThat(limiter.counters(ofCustomer)).contains(new Limiter.Counters(0, 0, 6));
    usage.recordRefusals(limiter.takeRefusals(100));
    assertThat(usage.currentPeriod(customer, Instant.now()).orElseThrow().rejectedRequests())
        .isEqualTo(6);
  }

  private UsageEvent event(String requestId, long prompt, long completion) {
    return new UsageEvent(
        requestId,
        limits.customerId(),
        grant.boxId(),
        "kimi-k2.6",
        prompt,
        completion,
        0,
        0,
        UsageOutcome.OK,
        false,
        10,
        100,
        Instant.now(),
        null);
  }
}
