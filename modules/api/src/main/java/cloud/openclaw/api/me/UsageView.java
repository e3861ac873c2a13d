package cloud.openclaw.api.me;

import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.MonthModelTokens;
import cloud.openclaw.platform.domain.UsageDay;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.domain.UsageTotals;
import cloud.openclaw.platform.store.UsageStore;
import io.helidon.dbclient.DbExecute;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * A customer's usage for the dashboard: the current period (or the last one) against its allowance,
 * a daily series and a split by model; and tokens per calendar month over a longer span. Splits by
 * model name every model of the span in each day or month (zero where it was not used), so a chart
 * stacks the same series everywhere.
 */
public final class UsageView {
  private final Database database;
  private final UsageStore usage;
  private final Clock clock;

  public UsageView(Database database, UsageStore usage, Clock clock) {
    this.database = database;
    this.usage = usage;
    this.clock = clock;
  }

  public Map<String, Object> of(Customer customer, Plan plan) {
    DbExecute exec = database.execute();
    Instant now = clock.instant();
    Optional<UsageMonthly> found =
        usage
            .currentPeriod(exec, customer.id(), now)
            .or(() -> usage.latestPeriod(exec, customer.id()));
    Map<String, Object> view = new LinkedHashMap<>();
    if (found.isEmpty()) {
      long allowance = plan == null ? 0 : plan.monthlyTokens();
      view.put("period", null);
      view.put("used", 0L);
      view.put("allowance", allowance);
      view.put("percent", 0.0);
      view.put("daily", List.of());
      view.put("byModel", List.of());
      return view;
    }
    UsageMonthly period = found.get();
    Instant end = now.isBefore(period.periodEnd()) ? now : period.periodEnd();
    if (!end.isAfter(period.periodStart())) {
      end = period.periodEnd();
    }
    view.put("period", Map.of("start", period.periodStart(), "end", period.periodEnd()));
    view.put("used", period.usedTokens());
    view.put("allowance", period.tokenAllowance());
    view.put(
        "percent",
        period.tokenAllowance() == 0
            ? 100.0
            : Math.round(period.usedTokens() * 1000.0 / period.tokenAllowance()) / 10.0);
    List<UsageDay> days = usage.dailySeries(exec, customer.id(), period.periodStart(), end);
    SortedSet<String> models = new TreeSet<>();
    days.forEach(day -> models.addAll(day.byModel().keySet()));
    view.put(
        "daily",
        days.stream()
            .map(
                day ->
                    Map.of(
                        "day",
                        day.day().toString(),
                        "tokens",
                        day.totals().totalTokens(),
                        "requests",
                        day.totals().requests(),
                        "byModel",
                        tokensOf(models, model -> tokens(day.byModel().get(model)))))
            .toList());
    view.put(
        "byModel",
        usage.byModel(exec, customer.id(), period.periodStart(), end).stream()
            .map(
                model ->
                    Map.of(
                        "model",
                        model.model(),
                        "tokens",
                        model.totals().totalTokens(),
                        "requests",
                        model.totals().requests()))
            .toList());
    return view;
  }

  /**
   * Tokens per UTC calendar month, the last {@code months} of them ending with the current one
   * (oldest first, every month present), each split by model.
   */
  public Map<String, Object> history(Customer customer, int months) {
    YearMonth last = YearMonth.now(clock.withZone(ZoneOffset.UTC));
    YearMonth first = last.minusMonths(months - 1L);
    Map<YearMonth, Map<String, Long>> used = new HashMap<>();
    SortedSet<String> models = new TreeSet<>();
    for (MonthModelTokens row :
        usage.tokensByMonthAndModel(database.execute(), customer.id(), first, last)) {
      used.computeIfAbsent(row.month(), month -> new HashMap<>()).put(row.model(), row.tokens());
      models.add(row.model());
    }
    List<Map<String, Object>> series = new ArrayList<>();
    for (YearMonth month = first; !month.isAfter(last); month = month.plusMonths(1)) {
      Map<String, Long> byModel = used.getOrDefault(month, Map.of());
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("month", month.toString());
      entry.put("tokens", byModel.values().stream().mapToLong(Long::longValue).sum());
      entry.put("byModel", tokensOf(models, model -> byModel.getOrDefault(model, 0L)));
      series.add(entry);
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("models", List.copyOf(models));
    view.put("months", series);
    return view;
  }

  /** Every model of the span, in name order, with its tokens (zero where it was not used). */
  private static Map<String, Long> tokensOf(SortedSet<String> models, ToLongFunction<String> of) {
    Map<String, Long> tokens = new LinkedHashMap<>();
    models.forEach(model -> tokens.put(model, of.applyAsLong(model)));
    return tokens;
  }

  private static long tokens(UsageTotals totals) {
    return totals == null ? 0 : totals.totalTokens();
  }
}
