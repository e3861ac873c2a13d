package cloud.openclaw.api.stripe;

import cloud.openclaw.api.ApiMetrics;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.me.BillingPortal;
import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.billing.StripeEventSignal;
import cloud.openclaw.platform.billing.StripeSettings;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.StripeEventStore;
import java.net.URI;
import java.time.Clock;
import java.util.List;

/**
 * The api's Stripe routes: {@code POST /stripe/webhook} and {@code POST /billing/checkout}, and the
 * Customer Portal the customer API's {@code POST /me/billing/portal} opens ({@link
 * StripeBilling#portalUrl}).
 */
public final class StripeRoutes {
  private final StripeWebhookService webhook;
  private final CheckoutService checkout;
  private final StripeBilling stripe;

  public StripeRoutes(
      StripeWebhookService webhook, CheckoutService checkout, StripeBilling stripe) {
    this.webhook = webhook;
    this.checkout = checkout;
    this.stripe = stripe;
  }

  /** The keys read and checked, before anything is connected to. */
  public record Configured(
      StripeApiSettings api, StripeSettings stripe, Plans plans, SecretBox secrets) {
    public StripeRoutes open(Connections connections, ApiMetrics metrics) {
      return open(connections, Clock.systemUTC(), metrics);
    }

    /**
     * Like {@link #open(Connections, ApiMetrics)}, webhook timestamps checked against {@code
     * clock}.
     */
    public StripeRoutes open(Connections connections, Clock clock, ApiMetrics metrics) {
      return StripeRoutes.open(this, connections, clock, metrics);
    }
  }

  /** Reads {@code stripe.*} and {@code api.stripe.*}; fails start naming a missing key. */
  public static Configured configure(Settings settings) {
    return new Configured(
        StripeApiSettings.from(settings),
        StripeSettings.from(settings),
        Plans.from(settings),
        new SecretBox(CryptoSettings.from(settings)));
  }

  static StripeRoutes open(
      Configured configured, Connections connections, Clock clock, ApiMetrics metrics) {
    StripeApiSettings api = configured.api();
    Plans plans = configured.plans();
    SecretBox secrets = configured.secrets();
    StripeBilling stripe = new StripeBilling(configured.stripe());
    StripeWebhookService webhook =
        new StripeWebhookService(
            connections.database(),
            new StripeEventStore(connections.database()),
            new StripeEventSignal(connections.redis()),
            api.webhookSecret(),
            api.tolerance(),
            clock,
            metrics);
    CheckoutService checkout =
        new CheckoutService(
            connections.database(),
            new CustomerStore(connections.database()),
            new BoxStore(connections.database(), secrets),
            plans,
            stripe,
            api);
    return new StripeRoutes(webhook, checkout, stripe);
  }

  /** The webhook and checkout route prefixes. */
  public List<ApiService> services() {
    return List.of(webhook, checkout);
  }

  /** Checkout Sessions, for sign-up to hand out. */
  public CheckoutService checkout() {
    return checkout;
  }

  /** The Customer Portal through the same Stripe client. */
  public BillingPortal portal() {
    return (customer, returnUrl) ->
        URI.create(stripe.portalUrl(customer.stripeCustomerId(), returnUrl.toString()));
  }
}
