package cloud.openclaw.platform.billing;

import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.errors.UnavailableException;
import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.billingportal.SessionCreateParams;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The calls we make to Stripe, through stripe-java with a configurable API base (so the sandbox's
 * stand-in is reached by URL only): Stripe customers, Checkout Sessions (subscription mode) and
 * Customer Portal sessions, and reading a subscription. Stripe's errors become the platform's
 * domain errors.
 */
public final class StripeBilling {
  /** Metadata key under which our customer id travels on Stripe objects. */
  public static final String CUSTOMER_ID = "customer_id";

  private final StripeClient client;

  public StripeBilling(StripeSettings settings) {
    this.client =
        StripeClient.builder()
            .setApiKey(settings.secretKey())
            .setApiBase(settings.apiBase())
            .setMaxNetworkRetries(2)
            .setConnectTimeout(5_000)
            .setReadTimeout(20_000)
            .build();
  }

  /** A Checkout Session: its id and the URL to send the person to. */
  public record Checkout(String sessionId, String url) {}

  /** Creates the Stripe customer for one of ours (email, our id in metadata); its id. */
  public String createCustomer(UUID customerId, String email) {
    CustomerCreateParams params =
        CustomerCreateParams.builder()
            .setEmail(email)
            .putMetadata(CUSTOMER_ID, customerId.toString())
            .build();
    return call(() -> client.v1().customers().create(params).getId());
  }

  /**
   * A subscription-mode Checkout Session for {@code plan}: the Stripe customer (so the email is
   * prefilled), our customer id as client_reference_id and in the subscription's metadata.
   */
  public Checkout createCheckout(
      UUID customerId, String stripeCustomerId, Plan plan, String successUrl, String cancelUrl) {
    var params =
        com.stripe.param.checkout.SessionCreateParams.builder()
            .setMode(com.stripe.param.checkout.SessionCreateParams.Mode.SUBSCRIPTION)
            .setCustomer(stripeCustomerId)
            .setClientReferenceId(customerId.toString())
            .setSuccessUrl(successUrl)
            .setCancelUrl(cancelUrl)
            .putMetadata(CUSTOMER_ID, customerId.toString())
            .putMetadata("plan", plan.name())
            .addLineItem(
                com.stripe.param.checkout.SessionCreateParams.LineItem.builder()
                    .setPrice(plan.stripePriceId())
                    .setQuantity(1L)
                    .build())
            .setSubscriptionData(
                com.stripe.param.checkout.SessionCreateParams.SubscriptionData.builder()
                    .putMetadata(CUSTOMER_ID, customerId.toString())
                    .build())
            .build();
    return call(
        () -> {
          var session = client.v1().checkout().sessions().create(params);
          return new Checkout(session.getId(), session.getUrl());
        });
  }

  /**
   * A Customer Portal session URL for a customer who has paid before (plan change, payment method,
   * cancel). This is what {@code POST /me/billing/portal} answers.
   */
  public String portalUrl(String stripeCustomerId, String returnUrl) {
    if (stripeCustomerId == null) {
      throw new ConflictException(
          "no_billing_account", "there is no billing account to manage yet");
    }
    SessionCreateParams params =
        SessionCreateParams.builder().setCustomer(stripeCustomerId).setReturnUrl(returnUrl).build();
    return call(() -> client.v1().billingPortal().sessions().create(params).getUrl());
  }

  /** The subscription as Stripe has it now (a fresh read, for events that only name it). */
  public StripeSubscription subscription(String subscriptionId) {
    return call(
        () -> {
          Subscription sub = client.v1().subscriptions().retrieve(subscriptionId);
          SubscriptionItem item = sub.getItems().getData().getFirst();
          return new StripeSubscription(
              sub.getId(),
              sub.getCustomer(),
              sub.getStatus(),
              item.getPrice().getId(),
              Instant.ofEpochSecond(item.getCurrentPeriodStart()),
              Instant.ofEpochSecond(item.getCurrentPeriodEnd()),
              Boolean.TRUE.equals(sub.getCancelAtPeriodEnd()),
              sub.getMetadata() == null ? Map.of() : Map.copyOf(sub.getMetadata()));
        });
  }

  private interface StripeCall<T> {
    T run() throws StripeException;
  }

  private static <T> T call(StripeCall<T> call) {
    try {
      return call.run();
    } catch (InvalidRequestException e) {
      if (e.getStatusCode() != null && e.getStatusCode() == 404) {
        throw new NotFoundException("Stripe object (" + e.getStripeError().getMessage() + ")");
      }
      throw new InvalidInputException(e.getParam(), "Stripe refused: " + e.getMessage());
    } catch (ApiConnectionException e) {
      throw new UnavailableException("Stripe cannot be reached: " + e.getMessage(), e);
    } catch (StripeException e) {
      throw new UnavailableException("Stripe failed: " + e.getMessage(), e);
    }
  }
}
