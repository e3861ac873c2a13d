package cloud.openclaw.platform.domain;

import java.time.LocalDate;
import java.util.SortedMap;

/**
 * One UTC day of a customer's usage, for charts (days without usage are zero), and its split by
 * model: only the models used that day, by name.
 */
public record UsageDay(LocalDate day, UsageTotals totals, SortedMap<String, UsageTotals> byModel) {}
