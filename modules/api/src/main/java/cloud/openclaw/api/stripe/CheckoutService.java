package cloud.openclaw.api.stripe;

import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.Requests;
import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.UUID;

/**
 * {@code POST /billing/checkout {"customerId", "plan"}} → {@code {"sessionId", "url"}}: a Stripe
 * Checkout Session for a pending customer whose agent (box, with its bot) is set up, on a plan on
 * sale. The customer's Stripe customer is made on the first checkout and kept. Checkout returns to
 * the web app's pages {@code /billing/done} and {@code /billing/cancelled}.
 */
public final class CheckoutService implements ApiService {
  private final Database database;
  private final CustomerStore customers;
  private final BoxStore boxes;
  private final Plans plans;
  private final StripeBilling stripe;
  private final StripeApiSettings settings;

  public CheckoutService(
      Database database,
      CustomerStore customers,
      BoxStore boxes,
      Plans plans,
      StripeBilling stripe,
      StripeApiSettings settings) {
    this.database = database;
    this.customers = customers;
    this.boxes = boxes;
    this.plans = plans;
    this.stripe = stripe;
    this.settings = settings;
  }

  record CheckoutRequest(UUID customerId, String plan) {}

  record CheckoutResponse(String sessionId, String url) {}

  @Override
  public String prefix() {
    return "/billing";
  }

  @Override
  public List<Route> routes() {
    return List.of(Route.post("/checkout", this::checkout));
  }

  private void checkout(ServerRequest request, ServerResponse response) {
    CheckoutRequest body = Requests.body(request, CheckoutRequest.class);
    if (body.customerId() == null) {
      throw new InvalidInputException("customerId", "required");
    }
    if (body.plan() == null || body.plan().isBlank()) {
      throw new InvalidInputException("plan", "required");
    }
    Plan plan =
        plans
            .find(body.plan())
            .orElseThrow(
                () ->
                    new InvalidInputException("plan", "no plan '" + body.plan() + "' is on sale"));
    Customer customer =
        customers.find(body.customerId()).orElseThrow(() -> new NotFoundException("customer"));
    if (customer.status() != CustomerStatus.PENDING) {
      throw new ConflictException("not_pending", "the customer has paid already");
    }
    if (boxes.findLiveForCustomer(customer.id()).isEmpty()) {
      throw new ConflictException(
          "no_agent", "the customer's agent (its Telegram bot) must be set up before paying");
    }
    StripeBilling.Checkout checkout = open(customer, plan);
    Json.send(response, Status.OK_200, new CheckoutResponse(checkout.sessionId(), checkout.url()));
  }

  /**
   * A Checkout Session for a pending customer on {@code plan}; their Stripe customer is made on the
   * first one and kept.
   */
  public StripeBilling.Checkout open(Customer customer, Plan plan) {
    String stripeCustomer = customer.stripeCustomerId();
    if (stripeCustomer == null) {
      stripeCustomer = stripe.createCustomer(customer.id(), customer.email());
      customers.setStripeCustomerId(database.execute(), customer.id(), stripeCustomer);
    }
    customers.setPlan(database.execute(), customer.id(), plan.name());
    return stripe.createCheckout(
        customer.id(), stripeCustomer, plan, settings.successUrl(), settings.cancelUrl());
  }
}
