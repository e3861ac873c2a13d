package cloud.openclaw.api.stripe;

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
import io.helidon.webserver.http.HttpRouting;
import java.time.Clock;

/**
 * The api's Stripe routes: {@code POST /stripe/webhook} and {@code POST /billing/checkout}. {@link
 * #stripe()} is the client the customer API's {@code POST /me/billing/portal} uses ({@link
 * StripeBilling#portalUrl}, with {@link StripeApiSettings#portalReturnUrl()}).
 */
public final class StripeRoutes {
  private final StripeWebhookService webhook;
  private final CheckoutService checkout;
  private final StripeBilling stripe;
  private final StripeApiSettings settings;

  public StripeRoutes(
      StripeWebhookService webhook,
      CheckoutService checkout,
      StripeBilling stripe,
      StripeApiSettings settings) {
    this.webhook = webhook;
    this.checkout = checkout;
    this.stripe = stripe;
    this.settings = settings;
  }

  /** The keys read and checked, before anything is connected to. */
  public record Configured(
      StripeApiSettings api, StripeSettings stripe, Plans plans, SecretBox secrets) {
    public StripeRoutes open(Connections connections) {
      return StripeRoutes.open(this, connections);
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

  static StripeRoutes open(Configured configured, Connections connections) {
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
            Clock.systemUTC());
    CheckoutService checkout =
        new CheckoutService(
            connections.database(),
            new CustomerStore(connections.database()),
            new BoxStore(connections.database(), secrets),
            plans,
            stripe,
            api);
    return new StripeRoutes(webhook, checkout, stripe, api);
  }

  public void register(HttpRouting.Builder routing) {
    routing.register("/stripe", webhook);
    routing.register("/billing", checkout);
  }

  public StripeBilling stripe() {
    return stripe;
  }

  public StripeApiSettings settings() {
    return settings;
  }
}
