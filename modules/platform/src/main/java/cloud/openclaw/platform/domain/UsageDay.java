package cloud.openclaw.platform.domain;

import java.time.LocalDate;

/** One UTC day of a customer's usage, for charts (days without usage are zero). */
public record UsageDay(LocalDate day, UsageTotals totals) {}
