package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A subscription's state as one Stripe event tells it; {@code eventAt} is the event's created time,
 * so an older event arriving late never overwrites a newer one.
 */
public record SubscriptionChange(
    UUID customerId,
    String stripeSubscriptionId,
    String plan,
    SubscriptionStatus status,
    Instant currentPeriodStart,
    Instant currentPeriodEnd,
    boolean cancelAtPeriodEnd,
    Instant eventAt) {
  public SubscriptionChange {
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(stripeSubscriptionId, "stripeSubscriptionId");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(currentPeriodStart, "currentPeriodStart");
    Objects.requireNonNull(currentPeriodEnd, "currentPeriodEnd");
    Objects.requireNonNull(eventAt, "eventAt");
  }
}
