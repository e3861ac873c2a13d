package cloud.openclaw.platform.billing;

import java.time.Instant;
import java.util.Map;

/**
 * A Stripe subscription as read from Stripe: what billing needs of it. {@code priceId} is the price
 * of its first item, {@code metadata} carries our customer id ({@code customer_id}).
 */
public record StripeSubscription(
    String id,
    String stripeCustomerId,
    String status,
    String priceId,
    Instant currentPeriodStart,
    Instant currentPeriodEnd,
    boolean cancelAtPeriodEnd,
    Map<String, String> metadata) {}
