package cloud.openclaw.api.signup;

import static cloud.openclaw.api.http.ApiService.Route.post;

import cloud.openclaw.api.auth.AuthService;
import cloud.openclaw.api.auth.LoginLimits;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.Requests;
import cloud.openclaw.api.me.SettingsRules;
import cloud.openclaw.api.stripe.CheckoutService;
import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.crypto.Sha256;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.telegram.TelegramBots;
import io.helidon.dbclient.DbExecute;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /signup}: what onboarding collected (email, plan, the customer's bot token, who may
 * talk to the agent) becomes a pending customer with their agent's box, and the Stripe Checkout URL
 * to pay at. Paying provisions the box (billing worker). Asking again for the same email and bot
 * while unpaid gives a fresh checkout for the same customer.
 */
public final class SignupService implements ApiService {
  private final Database database;
  private final CustomerStore customers;
  private final BoxStore boxes;
  private final Plans plans;
  private final TelegramBots telegram;
  private final CheckoutService checkout;
  private final LoginLimits limits;
  private final BoxRuntime runtime;
  private final String clientIpHeader;

  public SignupService(
      Database database,
      CustomerStore customers,
      BoxStore boxes,
      Plans plans,
      TelegramBots telegram,
      CheckoutService checkout,
      LoginLimits limits,
      BoxRuntime runtime,
      String clientIpHeader) {
    this.database = database;
    this.customers = customers;
    this.boxes = boxes;
    this.plans = plans;
    this.telegram = telegram;
    this.checkout = checkout;
    this.limits = limits;
    this.runtime = runtime;
    this.clientIpHeader = clientIpHeader;
  }

  record SignupRequest(
      String email,
      String plan,
      String botToken,
      List<Long> allowedTelegramUserIds,
      String model,
      String thinkingLevel) {}

  @Override
  public String prefix() {
    return "/signup";
  }

  @Override
  public List<Route> routes() {
    return List.of(post("/", this::signup));
  }

  private void signup(ServerRequest request, ServerResponse response) {
    SignupRequest body = Requests.body(request, SignupRequest.class);
    String email = AuthService.email(body.email());
    limits.attempt(Sha256.hex("signup:" + email), Requests.clientIp(request, clientIpHeader));
    Plan plan = plan(body.plan());
    BoxSettings settings =
        SettingsRules.validate(
            plan,
            body.allowedTelegramUserIds(),
            body.model() == null ? plan.models().getFirst() : body.model(),
            body.thinkingLevel() == null ? "off" : body.thinkingLevel());
    if (body.botToken() == null || body.botToken().isBlank()) {
      throw new InvalidInputException("botToken", "'botToken' is required (from @BotFather)");
    }
    TelegramBots.Bot bot = telegram.identify(body.botToken().strip(), "botToken");
    Signed signed =
        database.inTransaction(
            tx -> register(tx.execute(), email, bot, body.botToken().strip(), settings));
    StripeBilling.Checkout session = checkout.open(signed.customer(), plan);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("customerId", signed.customer().id());
    answer.put("boxId", signed.box().id());
    answer.put("botUsername", signed.box().botUsername());
    answer.put("checkoutSessionId", session.sessionId());
    answer.put("checkoutUrl", session.url());
    Json.send(response, signed.created() ? Status.CREATED_201 : Status.OK_200, answer);
  }

  private Plan plan(String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException("plan", "'plan' is required");
    }
    return plans
        .find(name)
        .orElseThrow(() -> new InvalidInputException("plan", "no plan '" + name + "' is on sale"));
  }

  private record Signed(Customer customer, Box box, boolean created) {}

  private Signed register(
      DbExecute exec, String email, TelegramBots.Bot bot, String botToken, BoxSettings settings) {
    Optional<Customer> known = customers.findByEmail(exec, email);
    if (known.isPresent() && known.get().status() != CustomerStatus.PENDING) {
      throw new ConflictException(
          "already_customer", "this email has an agent already: sign in to manage it");
    }
    Customer customer =
        known.orElseGet(() -> customers.create(exec, new NewCustomer(email, null, null, null)));
    Optional<Box> waiting = boxes.findLiveForCustomer(exec, customer.id());
    if (waiting.isPresent()) {
      if (waiting.get().botId() != bot.id()) {
        throw new ConflictException(
            "signup_pending",
            "this email is signing up with another bot (@"
                + waiting.get().botUsername()
                + "): finish that checkout, or use another email");
      }
      Box box = boxes.updateSettings(exec, waiting.get().id(), settings);
      return new Signed(customer, box, false);
    }
    Box box =
        boxes.create(
            exec,
            new NewBox(
                customer.id(),
                bot.id(),
                bot.username(),
                botToken,
                settings.allowedTelegramUserIds(),
                settings.model(),
                settings.thinkingLevel(),
                runtime));
    return new Signed(customer, box, known.isEmpty());
  }
}
