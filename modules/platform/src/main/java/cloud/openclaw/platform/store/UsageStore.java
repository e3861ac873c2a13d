package cloud.openclaw.platform.store;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.domain.ModelUsage;
import cloud.openclaw.platform.domain.MonthModelTokens;
import cloud.openclaw.platform.domain.PeriodRefusals;
import cloud.openclaw.platform.domain.UsageDay;
import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.domain.UsageTotals;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Usage: one row per proxied request (usage_events) and running totals per billing period
 * (usage_monthly) that the token proxy checks against the allowance.
 */
public final class UsageStore {
  // One statement: the events new by request_id are inserted and only those are added to the
  // period they fall in (the latest period starting at or before the event), so a batch replayed
  // after a crash counts nothing twice. Rejected requests count no request.
  private static final String RECORD_EVENTS =
      """
      WITH batch AS (
          SELECT * FROM jsonb_to_recordset(?::jsonb) AS e(request_id text, customer_id uuid,
              box_id uuid, model text, prompt_tokens bigint, completion_tokens bigint,
              cached_tokens bigint, reasoning_tokens bigint, outcome text, estimated boolean,
              upstream_latency_ms integer, proxy_overhead_us integer, occurred_at timestamptz)
      ), inserted AS (
          INSERT INTO usage_events (request_id, customer_id, box_id, model, prompt_tokens,
              completion_tokens, cached_tokens, reasoning_tokens, outcome, estimated,
              upstream_latency_ms, proxy_overhead_us, occurred_at)
          SELECT request_id, customer_id, box_id, model, prompt_tokens, completion_tokens,
              cached_tokens, reasoning_tokens, outcome, estimated, upstream_latency_ms,
              proxy_overhead_us, occurred_at
          FROM batch
          ON CONFLICT (request_id) DO NOTHING
          RETURNING *
      ), per_period AS (
          SELECT i.customer_id, p.period_start,
              sum(i.prompt_tokens) AS prompt_tokens,
              sum(i.completion_tokens) AS completion_tokens,
              sum(i.cached_tokens) AS cached_tokens,
              sum(i.reasoning_tokens) AS reasoning_tokens,
              count(*) FILTER (WHERE i.outcome <> 'rejected') AS requests
          FROM inserted i
          CROSS JOIN LATERAL (
              SELECT m.period_start FROM usage_monthly m
              WHERE m.customer_id = i.customer_id AND m.period_start <= i.occurred_at
              ORDER BY m.period_start DESC
              LIMIT 1) p
          GROUP BY i.customer_id, p.period_start
      ), updated AS (
          UPDATE usage_monthly m SET
              prompt_tokens = m.prompt_tokens + pp.prompt_tokens,
              completion_tokens = m.completion_tokens + pp.completion_tokens,
              cached_tokens = m.cached_tokens + pp.cached_tokens,
              reasoning_tokens = m.reasoning_tokens + pp.reasoning_tokens,
              requests = m.requests + pp.requests,
              updated_at = now()
          FROM per_period pp
          WHERE m.customer_id = pp.customer_id AND m.period_start = pp.period_start
          RETURNING 1
      )
      SELECT (SELECT count(*) FROM inserted) AS inserted,
          (SELECT count(*) FROM updated) AS periods\
      """;
  // Stripe's period: the row of its start takes Stripe's end and the allowance (its counters stay:
  // a period is keyed by its start and reset once), and a period that began earlier ends where
  // this one starts (Stripe moved the billing cycle's anchor).
  private static final String OPEN_PERIOD =
      """
      WITH ended AS (
          UPDATE usage_monthly SET period_end = ?, updated_at = now()
          WHERE customer_id = ? AND period_start < ? AND period_end > ?
      )
      INSERT INTO usage_monthly (customer_id, period_start, period_end, token_allowance)
      VALUES (?, ?, ?, ?)
      ON CONFLICT (customer_id, period_start) DO UPDATE SET
          period_end = EXCLUDED.period_end,
          token_allowance = EXCLUDED.token_allowance,
          updated_at = now()
      RETURNING *\
      """;
  // The next period after one that ended, opened before Stripe's renewal is known: it starts where
  // the last one ended, so it is the period Stripe then reports (same start), never a second one.
  private static final String ROLL_OVER =
      """
      INSERT INTO usage_monthly (customer_id, period_start, period_end, token_allowance)
      VALUES (?, ?, ?, ?)
      ON CONFLICT (customer_id, period_start) DO NOTHING\
      """;
  // A running count per period, never lowered: a count written again, or late, changes nothing.
  private static final String RECORD_REFUSALS =
      """
      UPDATE usage_monthly m SET rejected_requests = r.refused, updated_at = now()
      FROM jsonb_to_recordset(?::jsonb) AS r(customer_id uuid, period_start timestamptz, refused bigint)
      WHERE m.customer_id = r.customer_id AND m.period_start = r.period_start
          AND m.rejected_requests < r.refused\
      """;
  private static final String FIND_PERIOD =
      "SELECT * FROM usage_monthly WHERE customer_id = ? AND period_start = ?";
  private static final String CURRENT_PERIOD =
      """
      SELECT * FROM usage_monthly
      WHERE customer_id = ? AND period_start <= ? AND period_end > ?
      ORDER BY period_start DESC
      LIMIT 1\
      """;
  private static final String LATEST_PERIOD =
      """
      SELECT * FROM usage_monthly WHERE customer_id = ?
      ORDER BY period_start DESC
      LIMIT 1\
      """;
  private static final String LIST_PERIODS =
      """
      SELECT * FROM usage_monthly WHERE customer_id = ?
      ORDER BY period_start DESC
      LIMIT ?\
      """;
  private static final String SET_ALLOWANCE =
      """
      UPDATE usage_monthly SET token_allowance = ?, updated_at = now()
      WHERE customer_id = ? AND period_start = ?
      RETURNING *\
      """;
  private static final String SUMS =
      """
      sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
          sum(cached_tokens) AS cached_tokens, sum(reasoning_tokens) AS reasoning_tokens,
          count(*) FILTER (WHERE outcome <> 'rejected') AS requests\
      """;
  private static final String TOTALS =
      "SELECT "
          + SUMS
          + " FROM usage_events WHERE customer_id = ? AND occurred_at >= ? AND occurred_at < ?";
  private static final String DAILY =
      "SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, model, "
          + SUMS
          + """
           FROM usage_events
          WHERE customer_id = ? AND occurred_at >= ? AND occurred_at < ?
          GROUP BY day, model\
          """;
  // There is no daily rollup: this reads the customer's raw events of the range (whole UTC calendar
  // months) through usage_events_customer_time_idx and sums them in the database.
  private static final String MONTHLY_BY_MODEL =
      """
      SELECT date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date AS month, model,
          sum(prompt_tokens + completion_tokens) AS tokens
      FROM usage_events
      WHERE customer_id = ? AND occurred_at >= ? AND occurred_at < ?
      GROUP BY month, model\
      """;
  private static final String BY_MODEL =
      "SELECT model, "
          + SUMS
          + """
           FROM usage_events
          WHERE customer_id = ? AND occurred_at >= ? AND occurred_at < ?
          GROUP BY model
          ORDER BY sum(prompt_tokens + completion_tokens) DESC, model\
          """;
  private static final String RECENT_EVENTS =
      """
      SELECT * FROM usage_events WHERE customer_id = ?
      ORDER BY occurred_at DESC, request_id DESC
      LIMIT ?\
      """;
  private static final String FIND_EVENT = "SELECT * FROM usage_events WHERE request_id = ?";

  private static final Map<String, Supplier<DomainException>> CONSTRAINTS =
      Map.of(
          "usage_monthly_period_order",
          () -> new InvalidInputException("periodEnd", "a usage period must end after it starts"),
          "usage_monthly_token_allowance_check",
          () -> new InvalidInputException("tokenAllowance", "an allowance is not negative"),
          "usage_monthly_customer_id_fkey",
          () -> new NotFoundException("customer"),
          "usage_events_customer_id_fkey",
          () -> new NotFoundException("customer"),
          "usage_events_box_id_fkey",
          () -> new NotFoundException("box"));

  private final Database database;

  public UsageStore(Database database) {
    this.database = database;
  }

  /**
   * Records the events not recorded yet (by request id) and adds exactly those to their periods, in
   * one statement; returns how many were new. An event earlier than all of the customer's periods
   * is kept but counts in no period.
   */
  public int recordEvents(DbExecute exec, List<UsageEvent> events) {
    if (events.isEmpty()) {
      return 0;
    }
    String batch = toJson(events);
    return SqlErrors.guard(
        CONSTRAINTS, () -> Rows.intValue(exec.get(RECORD_EVENTS, batch).orElseThrow(), "inserted"));
  }

  public int recordEvents(List<UsageEvent> events) {
    return recordEvents(database.execute(), events);
  }

  /**
   * Raises each period's count of refused requests to the count given, in one statement; returns
   * how many periods changed. A count lower than the one recorded (written out of order) is
   * ignored, a period that does not exist too.
   */
  public long recordRefusals(DbExecute exec, List<PeriodRefusals> counts) {
    if (counts.isEmpty()) {
      return 0;
    }
    ArrayNode array = JsonNodeFactory.instance.arrayNode(counts.size());
    for (PeriodRefusals count : counts) {
      ObjectNode node = array.addObject();
      node.put("customer_id", count.customerId().toString());
      node.put("period_start", count.periodStart().toString());
      node.put("refused", count.refused());
    }
    return exec.dml(RECORD_REFUSALS, array.toString());
  }

  public long recordRefusals(List<PeriodRefusals> counts) {
    return recordRefusals(database.execute(), counts);
  }

  public Optional<UsageEvent> findEvent(DbExecute exec, String requestId) {
    return exec.get(FIND_EVENT, requestId).map(UsageStore::event);
  }

  /** The customer's latest events first (the admin's view of what a box did). */
  public List<UsageEvent> recentEvents(DbExecute exec, UUID customerId, int limit) {
    try (Stream<DbRow> rows = exec.query(RECENT_EVENTS, customerId, limit)) {
      return rows.map(UsageStore::event).toList();
    }
  }

  /**
   * Records Stripe's current period [{@code start}, {@code end}) with its allowance. The period is
   * keyed by its start: asked again (a replayed event, or Stripe's renewal confirming a period the
   * proxy rolled over to), it takes the end and allowance given and keeps its usage, so nothing is
   * reset twice. A period that began earlier and would overlap ends at {@code start}.
   */
  public UsageMonthly openPeriod(
      DbExecute exec, UUID customerId, Instant start, Instant end, long tokenAllowance) {
    if (!end.isAfter(start)) {
      throw new InvalidInputException("periodEnd", "a usage period must end after it starts");
    }
    Object from = Rows.param(start);
    return SqlErrors.guard(
        CONSTRAINTS,
        () ->
            exec.get(
                    OPEN_PERIOD,
                    from,
                    customerId,
                    from,
                    from,
                    customerId,
                    from,
                    Rows.param(end),
                    tokenAllowance)
                .map(UsageStore::monthly)
                .orElseThrow());
  }

  /**
   * The period covering {@code now}; when there is none because the latest one has ended, the next
   * one is opened first (with {@code tokenAllowance}), starting at the latest one's end and as long
   * as it was (past periods skipped whole). Concurrent callers open the same period once. Empty
   * when the customer never had a period, or the latest one has not started yet.
   */
  public Optional<UsageMonthly> rollOver(
      DbExecute exec, UUID customerId, Instant now, long tokenAllowance) {
    Optional<UsageMonthly> current = currentPeriod(exec, customerId, now);
    if (current.isPresent()) {
      return current;
    }
    Optional<UsageMonthly> latest = latestPeriod(exec, customerId);
    if (latest.isEmpty() || latest.get().periodEnd().isAfter(now)) {
      // None yet; or one opened meanwhile (by another replica), or one that starts later.
      return latest.filter(period -> period.covers(now));
    }
    Duration length = Duration.between(latest.get().periodStart(), latest.get().periodEnd());
    Instant start = latest.get().periodEnd();
    long skipped = Duration.between(start, now).dividedBy(length);
    start = start.plus(length.multipliedBy(skipped));
    exec.dml(
        ROLL_OVER, customerId, Rows.param(start), Rows.param(start.plus(length)), tokenAllowance);
    return currentPeriod(exec, customerId, now);
  }

  /** The customer's period that starts at {@code start}, if there is one. */
  public Optional<UsageMonthly> period(DbExecute exec, UUID customerId, Instant start) {
    return exec.get(FIND_PERIOD, customerId, Rows.param(start)).map(UsageStore::monthly);
  }

  public Optional<UsageMonthly> period(UUID customerId, Instant start) {
    return period(database.execute(), customerId, start);
  }

  /** The period that covers {@code at}, if one is open. */
  public Optional<UsageMonthly> currentPeriod(DbExecute exec, UUID customerId, Instant at) {
    return exec.get(CURRENT_PERIOD, customerId, Rows.param(at), Rows.param(at))
        .map(UsageStore::monthly);
  }

  public Optional<UsageMonthly> currentPeriod(UUID customerId, Instant at) {
    return currentPeriod(database.execute(), customerId, at);
  }

  /** The customer's most recent period, whether or not it is over. */
  public Optional<UsageMonthly> latestPeriod(DbExecute exec, UUID customerId) {
    return exec.get(LATEST_PERIOD, customerId).map(UsageStore::monthly);
  }

  /** The customer's periods, newest first (billing history). */
  public List<UsageMonthly> listPeriods(DbExecute exec, UUID customerId, int limit) {
    try (Stream<DbRow> rows = exec.query(LIST_PERIODS, customerId, limit)) {
      return rows.map(UsageStore::monthly).toList();
    }
  }

  /** Changes a period's allowance (a plan changed mid-period); the usage so far stays. */
  public UsageMonthly setAllowance(
      DbExecute exec, UUID customerId, Instant periodStart, long tokenAllowance) {
    return SqlErrors.guard(
        CONSTRAINTS,
        () ->
            exec.get(SET_ALLOWANCE, tokenAllowance, customerId, Rows.param(periodStart))
                .map(UsageStore::monthly)
                .orElseThrow(() -> new NotFoundException("usage period")));
  }

  /** The customer's usage in [from, to), from the events. */
  public UsageTotals totals(DbExecute exec, UUID customerId, Instant from, Instant to) {
    return exec.get(TOTALS, customerId, Rows.param(from), Rows.param(to))
        .map(UsageStore::totals)
        .orElse(UsageTotals.ZERO);
  }

  /**
   * The customer's usage in [from, to) per UTC day, every day present (zero when idle), each split
   * by the models used that day; one query.
   */
  public List<UsageDay> dailySeries(DbExecute exec, UUID customerId, Instant from, Instant to) {
    Map<LocalDate, SortedMap<String, UsageTotals>> byDay = new HashMap<>();
    try (Stream<DbRow> rows = exec.query(DAILY, customerId, Rows.param(from), Rows.param(to))) {
      rows.forEach(
          row ->
              byDay
                  .computeIfAbsent(Rows.localDate(row, "day"), day -> new TreeMap<>())
                  .put(Rows.string(row, "model"), totals(row)));
    }
    List<UsageDay> days = new ArrayList<>();
    LocalDate last = to.minusNanos(1).atZone(ZoneOffset.UTC).toLocalDate();
    for (LocalDate day = from.atZone(ZoneOffset.UTC).toLocalDate();
        !day.isAfter(last);
        day = day.plusDays(1)) {
      SortedMap<String, UsageTotals> models = byDay.getOrDefault(day, new TreeMap<>());
      UsageTotals total = models.values().stream().reduce(UsageTotals.ZERO, UsageTotals::plus);
      days.add(new UsageDay(day, total, Collections.unmodifiableSortedMap(models)));
    }
    return days;
  }

  /**
   * The customer's tokens per UTC calendar month from {@code first} to {@code last} (both included)
   * and model, in one query; months and models without usage are absent.
   */
  public List<MonthModelTokens> tokensByMonthAndModel(
      DbExecute exec, UUID customerId, YearMonth first, YearMonth last) {
    Instant from = first.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = last.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    try (Stream<DbRow> rows =
        exec.query(MONTHLY_BY_MODEL, customerId, Rows.param(from), Rows.param(to))) {
      return rows.map(
              row ->
                  new MonthModelTokens(
                      YearMonth.from(Rows.localDate(row, "month")),
                      Rows.string(row, "model"),
                      Rows.longValue(row, "tokens")))
          .toList();
    }
  }

  /** The customer's usage in [from, to) per model, the most used first. */
  public List<ModelUsage> byModel(DbExecute exec, UUID customerId, Instant from, Instant to) {
    try (Stream<DbRow> rows = exec.query(BY_MODEL, customerId, Rows.param(from), Rows.param(to))) {
      return rows.map(row -> new ModelUsage(Rows.string(row, "model"), totals(row))).toList();
    }
  }

  private static String toJson(List<UsageEvent> events) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode(events.size());
    for (UsageEvent e : events) {
      ObjectNode node = array.addObject();
      node.put("request_id", e.requestId());
      node.put("customer_id", e.customerId().toString());
      node.put("box_id", e.boxId() == null ? null : e.boxId().toString());
      node.put("model", e.model());
      node.put("prompt_tokens", e.promptTokens());
      node.put("completion_tokens", e.completionTokens());
      node.put("cached_tokens", e.cachedTokens());
      node.put("reasoning_tokens", e.reasoningTokens());
      node.put("outcome", e.outcome().dbValue());
      node.put("estimated", e.estimated());
      node.put("upstream_latency_ms", e.upstreamLatencyMs());
      node.put("proxy_overhead_us", e.proxyOverheadUs());
      node.put("occurred_at", e.occurredAt().toString());
    }
    return array.toString();
  }

  private static UsageTotals totals(DbRow row) {
    return new UsageTotals(
        Rows.longValue(row, "prompt_tokens"),
        Rows.longValue(row, "completion_tokens"),
        Rows.longValue(row, "cached_tokens"),
        Rows.longValue(row, "reasoning_tokens"),
        Rows.longValue(row, "requests"));
  }

  static UsageMonthly monthly(DbRow row) {
    return new UsageMonthly(
        Rows.uuid(row, "customer_id"),
        Rows.instant(row, "period_start"),
        Rows.instant(row, "period_end"),
        Rows.longValue(row, "prompt_tokens"),
        Rows.longValue(row, "completion_tokens"),
        Rows.longValue(row, "cached_tokens"),
        Rows.longValue(row, "reasoning_tokens"),
        Rows.longValue(row, "requests"),
        Rows.longValue(row, "rejected_requests"),
        Rows.longValue(row, "token_allowance"),
        Rows.instant(row, "updated_at"));
  }

  static UsageEvent event(DbRow row) {
    return new UsageEvent(
        Rows.string(row, "request_id"),
        Rows.uuid(row, "customer_id"),
        Rows.uuid(row, "box_id"),
        Rows.string(row, "model"),
        Rows.longValue(row, "prompt_tokens"),
        Rows.longValue(row, "completion_tokens"),
        Rows.longValue(row, "cached_tokens"),
        Rows.longValue(row, "reasoning_tokens"),
        UsageOutcome.fromDb(Rows.string(row, "outcome")),
        Rows.bool(row, "estimated"),
        Rows.nullableInt(row, "upstream_latency_ms"),
        Rows.nullableInt(row, "proxy_overhead_us"),
        Rows.instant(row, "occurred_at"),
        Rows.instant(row, "recorded_at"));
  }
}
