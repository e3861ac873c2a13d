package cloud.openclaw.proxy.auth;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a customer's plan and billing period allow right now. {@code periodStart} is null when no
 * period is open (nothing may be spent). {@code renews}: the subscription goes on past the period's
 * end (active, trialing or past due, not cancelled at the period's end), so when the period ends
 * the next one opens at once, before Stripe's renewal is known (docs/token-proxy.md).
 */
public record CustomerLimits(
    UUID customerId,
    boolean active,
    String plan,
    int requestsPerSecond,
    List<String> models,
    Instant periodStart,
    Instant periodEnd,
    long allowance,
    boolean renews) {

  public boolean hasOpenPeriod(Instant now) {
    return periodStart != null && !now.isBefore(periodStart) && now.isBefore(periodEnd);
  }

  /** True when the period has ended and the next one is due to open. */
  public boolean rollsOver(Instant now) {
    return renews && periodEnd != null && !now.isBefore(periodEnd);
  }
}
