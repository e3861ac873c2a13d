package cloud.openclaw.platform.domain;

/** A customer's usage of one model over some span. */
public record ModelUsage(String model, UsageTotals totals) {}
