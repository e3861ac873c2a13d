package cloud.openclaw.api.me;

import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.store.UsageStore;
import io.helidon.dbclient.DbExecute;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A customer's usage for the dashboard: the current period (or the last one) against its allowance,
 * a daily series and a split by model.
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
    view.put(
        "daily",
        usage.dailySeries(exec, customer.id(), period.periodStart(), end).stream()
            .map(
                day ->
                    Map.of(
                        "day",
                        day.day().toString(),
                        "tokens",
                        day.totals().totalTokens(),
                        "requests",
                        day.totals().requests()))
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
}
