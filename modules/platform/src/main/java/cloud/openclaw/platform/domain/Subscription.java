package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.UUID;

/** A customer's Stripe subscription as of the newest Stripe event applied ({@code lastEventAt}). */
public record Subscription(
    UUID id,
    UUID customerId,
    String stripeSubscriptionId,
    String plan,
    SubscriptionStatus status,
    Instant currentPeriodStart,
    Instant currentPeriodEnd,
    boolean cancelAtPeriodEnd,
    Instant lastEventAt,
    Instant createdAt,
    Instant updatedAt) {}
