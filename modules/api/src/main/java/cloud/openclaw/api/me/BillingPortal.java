package cloud.openclaw.api.me;

import cloud.openclaw.platform.domain.Customer;
import java.net.URI;

/**
 * Opens a Stripe customer portal session for a customer and returns its URL. {@code
 * StripeRoutes.portal()} opens it through stripe-java.
 */
public interface BillingPortal {

  /** The portal's URL for {@code customer}, who returns to {@code returnUrl} when done. */
  URI portalUrl(Customer customer, URI returnUrl);
}
