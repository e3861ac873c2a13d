package cloud.openclaw.api.me;

import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.errors.UnavailableException;
import java.net.URI;

/**
 * Opens a Stripe customer portal session for a customer and returns its URL. Billing provides the
 * implementation (stripe-java); the api only asks.
 */
public interface BillingPortal {

  /** The portal's URL for {@code customer}, who returns to {@code returnUrl} when done. */
  URI portalUrl(Customer customer, URI returnUrl);

  /** Until billing's implementation is wired: the portal is unavailable (503). */
  BillingPortal NOT_CONFIGURED =
      (customer, returnUrl) -> {
        throw new UnavailableException("the billing portal is not configured", null);
      };
}
