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
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /signup}: what onboarding collected (email, plan, the customer's bot token, its owner
 * and who else may talk to the agent, what the agent is for) becomes a pending customer with their
 * agent's box, and the Stripe Checkout URL to pay at. Paying provisions the box (billing worker).
 * Asking again for the same email and bot while unpaid gives a fresh checkout for the same
 * customer; asking again with the same {@code Idempotency-Key} gives the same answer, checkout
 * included.
 */
public final class SignupService implements ApiService {
  static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");

  private final Database database;
  private final CustomerStore customers;
  private final BoxStore boxes;
  private final Plans plans;
  private final TelegramBots telegram;
  private final CheckoutService checkout;
  private final LoginLimits limits;
  private final BoxRuntime runtime;
  private final String clientIpHeader;
  private final IdempotentSignups idempotent;
  private final String onboardingToken;

  public SignupService(
      Database database,
      CustomerStore customers,
      BoxStore boxes,
      Plans plans,
      TelegramBots telegram,
      CheckoutService checkout,
      LoginLimits limits,
      BoxRuntime runtime,
      String clientIpHeader,
      IdempotentSignups idempotent,
      String onboardingToken) {
    this.database = database;
    this.customers = customers;
    this.boxes = boxes;
    this.plans = plans;
    this.telegram = telegram;
    this.checkout = checkout;
    this.limits = limits;
    this.runtime = runtime;
    this.clientIpHeader = clientIpHeader;
    this.idempotent = idempotent;
    this.onboardingToken = onboardingToken;
  }

  record SignupRequest(
      String email,
      String plan,
      String botToken,
      List<Long> allowedTelegramUserIds,
      String model,
      String thinkingLevel,
      Long ownerTelegramUserId,
      String useCase) {}

  @Override
  public String prefix() {
    return "/signup";
  }

  @Override
  public List<Route> routes() {
    return List.of(post("/", this::signup));
  }

  private void signup(ServerRequest request, ServerResponse response) {
    String key = IdempotentSignups.key(request.headers().first(IDEMPOTENCY_KEY));
    SignupRequest body = Requests.body(request, SignupRequest.class);
    // The onboarding agent signs up people from everywhere through one address: their addresses
    // were limited where they reached us (the web chat's relay), so only the per-email limit
    // counts.
    String clientIp = fromOnboarding(request) ? null : Requests.clientIp(request, clientIpHeader);
    IdempotentSignups.Answer answer =
        key == null
            ? signup(body, clientIp)
            : idempotent.answer(key, Json.write(body), () -> signup(body, clientIp));
    Json.send(response, Status.create(answer.status()), answer.body());
  }

  /**
   * Whether the caller is the onboarding agent: it presents {@code api.onboarding.internal-token}.
   */
  private boolean fromOnboarding(ServerRequest request) {
    String presented =
        request.headers().first(HeaderNames.AUTHORIZATION).orElse("").replaceFirst("^Bearer ", "");
    return !onboardingToken.isEmpty()
        && MessageDigest.isEqual(
            presented.getBytes(StandardCharsets.UTF_8),
            onboardingToken.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code clientIp} null: a sign-up relayed by the onboarding agent, limited per email only. */
  private IdempotentSignups.Answer signup(SignupRequest body, String clientIp) {
    String email = AuthService.email(body.email());
    limits.attempt(Sha256.hex("signup:" + email), clientIp);
    Plan plan = plan(body.plan());
    Long owner = owner(body.ownerTelegramUserId());
    BoxSettings settings =
        SettingsRules.validate(
            plan,
            withOwnerFirst(owner, body.allowedTelegramUserIds()),
            body.model() == null ? plan.models().getFirst() : body.model(),
            body.thinkingLevel() == null ? "off" : body.thinkingLevel());
    String useCase = useCase(body.useCase());
    if (body.botToken() == null || body.botToken().isBlank()) {
      throw new InvalidInputException("botToken", "'botToken' is required (from @BotFather)");
    }
    TelegramBots.Bot bot = telegram.identify(body.botToken().strip(), "botToken");
    Signed signed =
        database.inTransaction(
            tx ->
                register(
                    tx.execute(),
                    email,
                    bot,
                    body.botToken().strip(),
                    settings,
                    new Onboarded(owner, useCase)));
    StripeBilling.Checkout session = checkout.open(signed.customer(), plan);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("customerId", signed.customer().id());
    answer.put("boxId", signed.box().id());
    answer.put("botUsername", signed.box().botUsername());
    answer.put("checkoutSessionId", session.sessionId());
    answer.put("checkoutUrl", session.url());
    return new IdempotentSignups.Answer(
        signed.created() ? Status.CREATED_201.code() : Status.OK_200.code(),
        Json.MAPPER.valueToTree(answer));
  }

  private static Long owner(Long owner) {
    if (owner != null && owner <= 0) {
      throw new InvalidInputException(
          "ownerTelegramUserId", "a Telegram user id is a positive number");
    }
    return owner;
  }

  /** The owner always talks to their agent, and comes first; the others keep their order. */
  static List<Long> withOwnerFirst(Long owner, List<Long> others) {
    if (owner == null) {
      return others;
    }
    List<Long> ids = new ArrayList<>();
    ids.add(owner);
    if (others != null) {
      others.stream().filter(id -> !owner.equals(id)).forEach(ids::add);
    }
    return ids;
  }

  private static String useCase(String useCase) {
    if (useCase == null || useCase.isBlank()) {
      return null;
    }
    String text = useCase.strip();
    if (text.length() > Box.USE_CASE_MAX) {
      throw new InvalidInputException(
          "useCase", "'useCase' is longer than " + Box.USE_CASE_MAX + " characters");
    }
    return text;
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

  /** What only onboarding knows: who owns the bot (may be null) and what the agent is for. */
  private record Onboarded(Long owner, String useCase) {}

  private Signed register(
      DbExecute exec,
      String email,
      TelegramBots.Bot bot,
      String botToken,
      BoxSettings settings,
      Onboarded onboarded) {
    Optional<Customer> known = customers.findByEmail(exec, email);
    if (known.isPresent() && known.get().status() != CustomerStatus.PENDING) {
      throw new ConflictException(
          "already_customer", "this email has an agent already: sign in to manage it");
    }
    Customer customer =
        ownedBy(
            exec,
            known.orElseGet(() -> customers.create(exec, new NewCustomer(email, null, null, null))),
            onboarded.owner());
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
      if (onboarded.useCase() != null) {
        box = boxes.setUseCase(exec, box.id(), onboarded.useCase());
      }
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
                runtime,
                onboarded.useCase()));
    return new Signed(customer, box, known.isEmpty());
  }

  /**
   * Records the owner's Telegram id on the customer when the customer has none and no other
   * customer has it (it is how the setup bot finds them again); the box allows them either way.
   */
  private Customer ownedBy(DbExecute exec, Customer customer, Long owner) {
    if (owner == null
        || customer.telegramUserId() != null
        || customers.findByTelegramUserId(exec, owner).isPresent()) {
      return customer;
    }
    return customers.setTelegramUserId(exec, customer.id(), owner);
  }
}
