package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * A customer's usage in one billing period, summed as events are recorded, against the period's
 * allowance (the plan's monthly tokens). {@code requests} are those the proxy forwarded; {@code
 * rejectedRequests} those it refused after authentication (counted, not recorded one by one).
 */
public record UsageMonthly(
    UUID customerId,
    Instant periodStart,
    Instant periodEnd,
    long promptTokens,
    long completionTokens,
    long cachedTokens,
    long reasoningTokens,
    long requests,
    long rejectedRequests,
    long tokenAllowance,
    Instant updatedAt) {

  /** The tokens that count against the allowance. */
  public long usedTokens() {
    return promptTokens + completionTokens;
  }

  public long remainingTokens() {
    return Math.max(0, tokenAllowance - usedTokens());
  }

  public boolean exhausted() {
    return usedTokens() >= tokenAllowance;
  }

  /** True when {@code at} falls in this period. */
  public boolean covers(Instant at) {
    return !at.isBefore(periodStart) && at.isBefore(periodEnd);
  }
}
