package cloud.openclaw.platform.store;

import static java.time.temporal.ChronoUnit.DAYS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.ModelUsage;
import cloud.openclaw.platform.domain.MonthModelTokens;
import cloud.openclaw.platform.domain.UsageDay;
import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.domain.UsageTotals;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.testkit.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UsageStoreIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  static Database db;
  static SecretBox secrets;
  static UsageStore usage;

  static final Instant MARCH = Instant.parse("2025-03-01T00:00:00Z");
  static final Instant APRIL = Instant.parse("2025-04-01T00:00:00Z");
  static final Instant MAY = Instant.parse("2025-05-01T00:00:00Z");

  @BeforeAll
  static void migrate() {
    db = StoreFixtures.connect(postgres);
    secrets = StoreFixtures.secretBox();
    usage = new UsageStore(db);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static UsageEvent event(Box box, String model, long prompt, long completion, Instant at) {
    return event(box, model, prompt, completion, UsageOutcome.OK, at);
  }

  static UsageEvent event(
      Box box, String model, long prompt, long completion, UsageOutcome outcome, Instant at) {
    return new UsageEvent(
        "req-" + UUID.randomUUID(),
        box.customerId(),
        box.id(),
        model,
        prompt,
        completion,
        prompt / 2,
        completion / 4,
        outcome,
        false,
        120,
        800,
        at,
        null);
  }

  /** A customer with a box and the March period open with a million tokens. */
  static Box boxInMarch() {
    Box box = StoreFixtures.customerWithBox(db, secrets);
    usage.openPeriod(db.execute(), box.customerId(), MARCH, APRIL, 1_000_000);
    return box;
  }

  static UsageMonthly march(Box box) {
    return usage.currentPeriod(box.customerId(), MARCH.plusSeconds(1)).orElseThrow();
  }

  @Test
  void aPeriodIsOpenedOnceAndAskedAgainTakesStripesEndAndAllowanceAndKeepsItsUsage() {
    Box box = boxInMarch();
    usage.recordEvents(List.of(event(box, "a", 600, 0, MARCH.plusSeconds(1))));
    Instant later = APRIL.plus(Duration.ofDays(2));

    UsageMonthly again = usage.openPeriod(db.execute(), box.customerId(), MARCH, later, 999);

    assertThat(again.periodStart()).isEqualTo(MARCH);
    assertThat(again.periodEnd()).isEqualTo(later);
    assertThat(again.tokenAllowance()).isEqualTo(999);
    assertThat(again.usedTokens()).isEqualTo(600);
    assertThat(usage.listPeriods(db.execute(), box.customerId(), 10)).containsExactly(again);
  }

  @Test
  void aPeriodStartingInsideAnotherEndsThatOne() {
    Box box = boxInMarch();
    Instant reanchored = MARCH.plus(Duration.ofDays(10));

    usage.openPeriod(db.execute(), box.customerId(), reanchored, reanchored.plus(30, DAYS), 7);

    List<UsageMonthly> periods = usage.listPeriods(db.execute(), box.customerId(), 10);
    assertThat(periods).extracting(UsageMonthly::periodStart).containsExactly(reanchored, MARCH);
    assertThat(periods.get(1).periodEnd()).isEqualTo(reanchored);
    assertThat(usage.currentPeriod(box.customerId(), reanchored).orElseThrow().tokenAllowance())
        .isEqualTo(7);
  }

  @Test
  void rollingOverOpensTheNextPeriodAtTheLastOnesEndOnce() throws Exception {
    Box box = boxInMarch();
    usage.recordEvents(List.of(event(box, "a", 600, 0, MARCH.plusSeconds(1))));
    Duration march = Duration.between(MARCH, APRIL);

    assertThat(usage.rollOver(db.execute(), box.customerId(), APRIL.minusSeconds(1), 5))
        .map(UsageMonthly::periodStart)
        .contains(MARCH);
    List<Future<UsageMonthly>> racing = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      for (int i = 0; i < 4; i++) {
        racing.add(
            pool.submit(
                () -> usage.rollOver(db.execute(), box.customerId(), APRIL, 5).orElseThrow()));
      }
    }

    for (Future<UsageMonthly> rolled : racing) {
      assertThat(rolled.get().periodStart()).isEqualTo(APRIL);
      assertThat(rolled.get().periodEnd()).isEqualTo(APRIL.plus(march));
      assertThat(rolled.get().usedTokens()).isZero();
      assertThat(rolled.get().tokenAllowance()).isEqualTo(5);
    }
    assertThat(usage.listPeriods(db.execute(), box.customerId(), 10)).hasSize(2);
    // Stripe's renewal then names the same start: the same period, Stripe's end, usage kept.
    usage.recordEvents(List.of(event(box, "a", 40, 0, APRIL.plusSeconds(1))));
    UsageMonthly confirmed = usage.openPeriod(db.execute(), box.customerId(), APRIL, MAY, 5);
    assertThat(confirmed.usedTokens()).isEqualTo(40);
    assertThat(confirmed.periodEnd()).isEqualTo(MAY);
  }

  @Test
  void rollingOverSkipsWholePeriodsNobodyUsedAndNeedsAPeriodToFollow() {
    Box box = boxInMarch();
    Duration march = Duration.between(MARCH, APRIL);
    Instant twoLater = APRIL.plus(march.multipliedBy(2)).plusSeconds(5);

    UsageMonthly rolled = usage.rollOver(db.execute(), box.customerId(), twoLater, 5).orElseThrow();

    assertThat(rolled.periodStart()).isEqualTo(APRIL.plus(march.multipliedBy(2)));
    Box newcomer = StoreFixtures.customerWithBox(db, secrets);
    assertThat(usage.rollOver(db.execute(), newcomer.customerId(), APRIL, 5)).isEmpty();
  }

  @Test
  void recordsEventsIntoTheirPeriod() {
    Box box = boxInMarch();
    List<UsageEvent> batch =
        List.of(
            event(box, "a", 100, 10, MARCH.plusSeconds(10)),
            event(box, "a", 200, 20, MARCH.plusSeconds(20)),
            event(box, "b", 300, 30, MARCH.plusSeconds(30)));

    assertThat(usage.recordEvents(batch)).isEqualTo(3);

    UsageMonthly period = march(box);
    assertThat(period.promptTokens()).isEqualTo(600);
    assertThat(period.completionTokens()).isEqualTo(60);
    assertThat(period.cachedTokens()).isEqualTo(300);
    assertThat(period.reasoningTokens()).isEqualTo(2 + 5 + 7);
    assertThat(period.requests()).isEqualTo(3);
    assertThat(period.remainingTokens()).isEqualTo(1_000_000 - 660);
    UsageEvent first = batch.getFirst();
    UsageEvent stored = usage.findEvent(db.execute(), first.requestId()).orElseThrow();
    assertThat(stored.occurredAt()).isEqualTo(first.occurredAt());
    assertThat(stored.upstreamLatencyMs()).isEqualTo(120);
    assertThat(stored.recordedAt()).isNotNull();
  }

  @Test
  void aBatchReplayedCountsNothingTwice() {
    Box box = boxInMarch();
    UsageEvent a = event(box, "a", 100, 10, MARCH.plusSeconds(10));
    UsageEvent b = event(box, "a", 200, 20, MARCH.plusSeconds(20));
    UsageEvent c = event(box, "a", 400, 40, MARCH.plusSeconds(30));
    usage.recordEvents(List.of(a, b));

    assertThat(usage.recordEvents(List.of(a, b))).isZero();
    assertThat(march(box).usedTokens()).isEqualTo(330);
    // A replay that overlaps new events counts only the new ones.
    assertThat(usage.recordEvents(List.of(b, c, a))).isEqualTo(1);
    assertThat(march(box).usedTokens()).isEqualTo(330 + 440);
    assertThat(march(box).requests()).isEqualTo(3);
    // The same request twice in one batch counts once.
    UsageEvent d = event(box, "a", 1, 1, MARCH.plusSeconds(40));
    assertThat(usage.recordEvents(List.of(d, d))).isEqualTo(1);
    assertThat(march(box).usedTokens()).isEqualTo(330 + 440 + 2);
  }

  @Test
  void aBatchRolledBackCountsNothingAndItsReplayCountsOnce() {
    Box box = boxInMarch();
    List<UsageEvent> batch =
        List.of(
            event(box, "a", 100, 10, MARCH.plusSeconds(1)),
            event(box, "a", 5, 5, MARCH.plusSeconds(2)));

    assertThatThrownBy(
            () ->
                db.inTransaction(
                    tx -> {
                      usage.recordEvents(tx.execute(), batch);
                      throw new IllegalStateException("crash before commit");
                    }))
        .hasMessage("crash before commit");
    assertThat(march(box).usedTokens()).isZero();

    assertThat(usage.recordEvents(batch)).isEqualTo(2);
    assertThat(usage.recordEvents(batch)).isZero();
    assertThat(march(box).usedTokens()).isEqualTo(120);
  }

  @Test
  void concurrentReplaysOfOneBatchCountItOnce() throws Exception {
    Box box = boxInMarch();
    List<UsageEvent> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(event(box, "a", 10, 1, MARCH.plusSeconds(i)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> replays = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        replays.add(() -> usage.recordEvents(batch));
      }
      int inserted = 0;
      for (Future<Integer> result : pool.invokeAll(replays)) {
        inserted += result.get();
      }
      assertThat(inserted).isEqualTo(50);
    } finally {
      pool.shutdownNow();
    }
    assertThat(march(box).usedTokens()).isEqualTo(50 * 11);
    assertThat(march(box).requests()).isEqualTo(50);
  }

  @Test
  void aLateEventCountsInThePeriodItHappenedIn() {
    Box box = boxInMarch();
    usage.openPeriod(db.execute(), box.customerId(), APRIL, MAY, 2_000_000);
    Instant beforeAnyPeriod = MARCH.minus(Duration.ofDays(3));

    int inserted =
        usage.recordEvents(
            List.of(
                event(box, "a", 100, 0, APRIL.minusSeconds(5)),
                event(box, "a", 7, 0, APRIL.plusSeconds(5)),
                event(box, "a", 1_000, 0, beforeAnyPeriod)));

    assertThat(inserted).isEqualTo(3);
    assertThat(march(box).promptTokens()).isEqualTo(100);
    UsageMonthly april = usage.currentPeriod(db.execute(), box.customerId(), APRIL).orElseThrow();
    assertThat(april.promptTokens()).isEqualTo(7);
    assertThat(april.tokenAllowance()).isEqualTo(2_000_000);
    assertThat(usage.latestPeriod(db.execute(), box.customerId())).contains(april);
    // Kept as an event, counted in no period.
    assertThat(usage.totals(db.execute(), box.customerId(), beforeAnyPeriod, MARCH).promptTokens())
        .isEqualTo(1_000);
  }

  @Test
  void rejectedRequestsCountNoRequest() {
    Box box = boxInMarch();

    usage.recordEvents(
        List.of(
            event(box, "a", 0, 0, UsageOutcome.REJECTED, MARCH.plusSeconds(1)),
            event(box, "a", 50, 0, UsageOutcome.UPSTREAM_ERROR, MARCH.plusSeconds(2))));

    assertThat(march(box).requests()).isEqualTo(1);
    assertThat(march(box).promptTokens()).isEqualTo(50);
  }

  @Test
  void anInvalidEventRecordsNothingOfItsBatch() {
    Box box = boxInMarch();
    UsageEvent valid = event(box, "a", 10, 10, MARCH.plusSeconds(1));
    UsageEvent negative = event(box, "a", -1, 10, MARCH.plusSeconds(2));

    assertThatThrownBy(() -> usage.recordEvents(List.of(valid, negative)))
        .isInstanceOf(InvalidInputException.class);

    assertThat(usage.findEvent(db.execute(), valid.requestId())).isEmpty();
    assertThat(march(box).usedTokens()).isZero();
  }

  @Test
  void anEventOfAnUnknownBoxIsNotFound() {
    Box box = boxInMarch();
    UsageEvent valid = event(box, "a", 10, 10, MARCH.plusSeconds(1));
    UsageEvent orphan =
        new UsageEvent(
            "req-" + UUID.randomUUID(),
            box.customerId(),
            UUID.randomUUID(),
            "a",
            1,
            1,
            0,
            0,
            UsageOutcome.OK,
            true,
            null,
            null,
            MARCH,
            null);

    assertThatThrownBy(() -> usage.recordEvents(List.of(valid, orphan)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void refusesAPeriodThatEndsBeforeItStarts() {
    UUID customer = StoreFixtures.customer(db).id();

    assertThatThrownBy(() -> usage.openPeriod(db.execute(), customer, APRIL, MARCH, 10))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("periodEnd"));
    assertThatThrownBy(() -> usage.openPeriod(db.execute(), customer, MARCH, APRIL, -1))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> usage.openPeriod(db.execute(), UUID.randomUUID(), MARCH, APRIL, 1))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void anAllowanceChangeKeepsTheUsage() {
    Box box = boxInMarch();
    usage.recordEvents(List.of(event(box, "a", 600, 0, MARCH.plusSeconds(1))));

    UsageMonthly changed = usage.setAllowance(db.execute(), box.customerId(), MARCH, 500);

    assertThat(changed.tokenAllowance()).isEqualTo(500);
    assertThat(changed.usedTokens()).isEqualTo(600);
    assertThat(changed.exhausted()).isTrue();
    assertThat(changed.remainingTokens()).isZero();
    assertThatThrownBy(() -> usage.setAllowance(db.execute(), box.customerId(), MAY, 1))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void noPeriodIsCurrentOutsideThePeriods() {
    Box box = boxInMarch();

    assertThat(usage.currentPeriod(box.customerId(), APRIL)).isEmpty();
    assertThat(usage.currentPeriod(box.customerId(), MARCH.minusNanos(1000))).isEmpty();
    assertThat(usage.currentPeriod(box.customerId(), APRIL.minusNanos(1000))).isPresent();
  }

  @Test
  void chartsUsagePerDayAndPerModel() {
    Box box = boxInMarch();
    Instant day1 = MARCH.plus(Duration.ofHours(23));
    Instant day3 = MARCH.plus(Duration.ofDays(2)).plus(Duration.ofHours(1));
    usage.recordEvents(
        List.of(
            event(box, "small", 10, 1, day1),
            event(box, "big", 100, 10, day1.plusSeconds(30)),
            event(box, "big", 200, 20, day3),
            event(box, "big", 999, 9, MARCH.plus(Duration.ofDays(4)))));
    Instant from = MARCH;
    Instant to = MARCH.plus(Duration.ofDays(4));

    List<UsageDay> days = usage.dailySeries(db.execute(), box.customerId(), from, to);

    assertThat(days)
        .extracting(UsageDay::day)
        .containsExactly(
            LocalDate.of(2025, 3, 1),
            LocalDate.of(2025, 3, 2),
            LocalDate.of(2025, 3, 3),
            LocalDate.of(2025, 3, 4));
    assertThat(days).extracting(d -> d.totals().totalTokens()).containsExactly(121L, 0L, 220L, 0L);
    assertThat(days.getFirst().totals().requests()).isEqualTo(2);
    assertThat(days.get(1).totals()).isEqualTo(UsageTotals.ZERO);
    assertThat(days.getFirst().byModel()).containsOnlyKeys("big", "small");
    assertThat(days.getFirst().byModel().firstKey()).isEqualTo("big");
    assertThat(days.getFirst().byModel().get("small")).isEqualTo(new UsageTotals(10, 1, 5, 0, 1));
    assertThat(days.get(1).byModel()).isEmpty();
    assertThat(days.get(2).byModel()).containsOnlyKeys("big");

    List<ModelUsage> models = usage.byModel(db.execute(), box.customerId(), from, to);
    assertThat(models).extracting(ModelUsage::model).containsExactly("big", "small");
    assertThat(models.getFirst().totals()).isEqualTo(new UsageTotals(300, 30, 150, 2 + 5, 2));

    UsageTotals totals = usage.totals(db.execute(), box.customerId(), from, to);
    assertThat(totals.totalTokens()).isEqualTo(341);
    assertThat(usage.totals(db.execute(), box.customerId(), MAY, MAY.plusSeconds(1)))
        .isEqualTo(UsageTotals.ZERO);
    assertThat(usage.recentEvents(db.execute(), box.customerId(), 2))
        .extracting(UsageEvent::occurredAt)
        .containsExactly(MARCH.plus(Duration.ofDays(4)), day3);
  }

  @Test
  void tokensPerUtcCalendarMonthAndModel() {
    Box box = boxInMarch();
    Box other = boxInMarch();
    usage.recordEvents(
        List.of(
            event(box, "small", 10, 1, MARCH.minusMillis(1)),
            event(box, "small", 10, 1, MARCH),
            event(box, "big", 100, 10, MARCH.plus(Duration.ofDays(5))),
            event(box, "big", 200, 20, MARCH.plus(Duration.ofDays(6))),
            event(box, "big", 5, 0, MAY.minusMillis(1)),
            event(box, "big", 999, 9, MAY),
            event(other, "big", 1, 1, MARCH.plusSeconds(1))));

    List<MonthModelTokens> rows =
        usage.tokensByMonthAndModel(
            db.execute(), box.customerId(), YearMonth.of(2025, 3), YearMonth.of(2025, 4));

    assertThat(rows)
        .containsExactlyInAnyOrder(
            new MonthModelTokens(YearMonth.of(2025, 3), "small", 11),
            new MonthModelTokens(YearMonth.of(2025, 3), "big", 330),
            new MonthModelTokens(YearMonth.of(2025, 4), "big", 5));
  }
}
