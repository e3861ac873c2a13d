package cloud.openclaw.proxy.auth;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a customer's plan and billing period allow right now. {@code periodStart} is null when no
 * period is open (nothing may be spent).
 */
public record CustomerLimits(
    UUID customerId,
    boolean active,
    String plan,
    int requestsPerSecond,
    List<String> models,
    Instant periodStart,
    Instant periodEnd,
    long allowance) {

  public boolean hasOpenPeriod(Instant now) {
    return periodStart != null && !now.isBefore(periodStart) && now.isBefore(periodEnd);
  }
}
