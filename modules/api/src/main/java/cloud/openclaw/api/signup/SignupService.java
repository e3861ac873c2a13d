package cloud.openclaw.api.signup;

import static cloud.openclaw.api.http.ApiService.Route.get;
import static cloud.openclaw.api.http.ApiService.Route.post;

import cloud.openclaw.api.ApiMetrics;
import cloud.openclaw.api.auth.AuthService;
import cloud.openclaw.api.auth.LoginLimits;
import cloud.openclaw.api.auth.SignInLinks;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.LinkPage;
import cloud.openclaw.api.http.Requests;
import cloud.openclaw.api.me.SettingsRules;
import cloud.openclaw.api.stripe.CheckoutService;
import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.crypto.Sha256;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.signup.SignupFollowUps;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.telegram.TelegramBots;
import io.helidon.dbclient.DbExecute;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /signup}: what onboarding collected (email, plan, the customer's bot token, its owner
 * and who else may talk to the agent, what the agent is for), checked, and answered 202 whoever
 * asks: the email's owner goes on by mail. An email that has paid gets a sign-in link; any other a
 * one-time link whose page ({@code /signup/continue}) makes the pending customer with their agent's
 * box (replacing the email's unpaid sign-up, if any) and goes on to the Stripe Checkout. Paying
 * provisions the box (billing worker). So the answer never tells whether an email has an account,
 * and nobody holds an address they cannot read. Asking again with the same {@code Idempotency-Key}
 * gives the same answer without another mail.
 */
public final class SignupService implements ApiService {
  static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");

  /** The answer to every sign-up: its email's owner goes on by mail. */
  static final String CHECK_EMAIL =
      "A link to continue is on its way to this email: open it to go on to the checkout.";

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
  private final SignInLinks signInLinks;
  private final SignupLinks signupLinks;
  private final SignupFollowUps followUps;
  private final String origin;
  private final ApiMetrics metrics;

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
      String onboardingToken,
      SignInLinks signInLinks,
      SignupLinks signupLinks,
      SignupFollowUps followUps,
      String origin,
      ApiMetrics metrics) {
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
    this.signInLinks = signInLinks;
    this.signupLinks = signupLinks;
    this.followUps = followUps;
    this.origin = origin;
    this.metrics = metrics;
  }

  record SignupRequest(
      String email,
      String plan,
      String botToken,
      List<Long> allowedTelegramUserIds,
      String model,
      String thinkingLevel,
      Long ownerTelegramUserId,
      String useCase,
      String followUp) {}

  @Override
  public String prefix() {
    return "/signup";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        post("/", this::signup),
        get("/continue", this::continuePage),
        post("/continue", this::proceed));
  }

  private void signup(ServerRequest request, ServerResponse response) {
    IdempotentSignups.Answer answer;
    try {
      answer = answer(request);
    } catch (InvalidInputException e) {
      metrics.signup(ApiMetrics.Signup.INVALID);
      throw e;
    } catch (DomainException e) {
      metrics.signup(
          e instanceof UnavailableException ? ApiMetrics.Signup.FAILED : ApiMetrics.Signup.REFUSED);
      throw e;
    } catch (RuntimeException e) {
      metrics.signup(ApiMetrics.Signup.FAILED);
      throw e;
    }
    metrics.signup(ApiMetrics.Signup.MAILED);
    Json.send(response, Status.create(answer.status()), answer.body());
  }

  private IdempotentSignups.Answer answer(ServerRequest request) {
    String key = IdempotentSignups.key(request.headers().first(IDEMPOTENCY_KEY));
    SignupRequest body = Requests.body(request, SignupRequest.class);
    // The onboarding agent signs up people from everywhere through one address: their addresses
    // were limited where they reached us (the web chat's relay), so only the per-email limit
    // counts.
    boolean fromOnboarding = fromOnboarding(request);
    String clientIp = fromOnboarding ? null : Requests.clientIp(request, clientIpHeader);
    String followUp = followUp(body.followUp(), fromOnboarding);
    return key == null
        ? signup(body, clientIp, followUp)
        : idempotent.answer(key, Json.write(body), () -> signup(body, clientIp, followUp));
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

  /** The conversation's reference to record when the sign-up goes on: the agent's only. */
  private static String followUp(String followUp, boolean fromOnboarding) {
    if (followUp == null) {
      return null;
    }
    if (!fromOnboarding) {
      throw new InvalidInputException("followUp", "'followUp' is the onboarding agent's field");
    }
    if (followUp.isBlank() || followUp.length() > SignupFollowUps.REFERENCE_MAX) {
      throw new InvalidInputException(
          "followUp", "'followUp' is 1 to " + SignupFollowUps.REFERENCE_MAX + " characters");
    }
    return followUp;
  }

  /**
   * Checks the sign-up and mails its email's owner the way on; {@code clientIp} null: relayed by
   * the onboarding agent, one requester for all.
   */
  private IdempotentSignups.Answer signup(SignupRequest body, String clientIp, String followUp) {
    String email = AuthService.email(body.email());
    limits.attempt(Sha256.hex("signup:" + email), clientIp);
    Checked checked = check(body);
    Optional<UUID> paid = database.inTransaction(tx -> paidCustomer(tx.execute(), email, checked));
    if (paid.isPresent()) {
      signInLinks.send(email, paid.get());
    } else {
      signupLinks.send(
          new SignupLinks.Signup(
              email,
              checked.plan().name(),
              checked.bot().username(),
              checked.botToken(),
              body.allowedTelegramUserIds(),
              body.model(),
              body.thinkingLevel(),
              body.ownerTelegramUserId(),
              body.useCase(),
              followUp));
    }
    return new IdempotentSignups.Answer(
        Status.ACCEPTED_202.code(), Json.MAPPER.valueToTree(Map.of("message", CHECK_EMAIL)));
  }

  /**
   * The email's customer when it has paid (its owner signs in instead). A bot another customer's
   * agent has is refused now rather than after the mail: only the bot's owner holds its token.
   */
  private Optional<UUID> paidCustomer(DbExecute exec, String email, Checked checked) {
    Optional<Customer> known = customers.findByEmail(exec, email);
    if (known.isPresent() && known.get().status() != CustomerStatus.PENDING) {
      return Optional.of(known.get().id());
    }
    Optional<Box> withBot = boxes.findLiveByBotId(exec, checked.bot().id());
    if (withBot.isPresent()
        && (known.isEmpty() || !withBot.get().customerId().equals(known.get().id()))) {
      throw new ConflictException("bot_in_use", "this Telegram bot runs in another box");
    }
    return Optional.empty();
  }

  /**
   * The page a mailed sign-up link opens: a button that continues (mail scanners that follow links
   * must not use up the one-time link).
   */
  private void continuePage(ServerRequest request, ServerResponse response) {
    LinkPage.send(
        request,
        response,
        "Finish signing up",
        "This takes you to Stripe's checkout to pay for your agent. If this email has a sign-up"
            + " that is not paid yet, this one replaces it. The link works once.",
        "/signup/continue",
        "Continue to the checkout");
  }

  /**
   * The page's form: the link proved the address, so this sign-up becomes the email's pending
   * customer and box (replacing its unpaid one); the conversation that asked, if any, hears of it;
   * on to the checkout.
   */
  private void proceed(ServerRequest request, ServerResponse response) {
    Requests.requireOrigin(request, origin);
    String token = LinkPage.postedToken(request);
    SignupLinks.Signup waiting =
        signupLinks
            .consume(token)
            .orElseThrow(
                () ->
                    new UnauthorizedException(
                        "this sign-up link has expired or was used already: sign up again"));
    Checked checked =
        check(
            new SignupRequest(
                waiting.email(),
                waiting.plan(),
                waiting.botToken(),
                waiting.allowedTelegramUserIds(),
                waiting.model(),
                waiting.thinkingLevel(),
                waiting.ownerTelegramUserId(),
                waiting.useCase(),
                null));
    Signed signed = database.inTransaction(tx -> register(tx.execute(), waiting.email(), checked));
    StripeBilling.Checkout session = checkout.open(signed.customer(), checked.plan());
    if (waiting.followUp() != null) {
      followUps.record(
          waiting.followUp(),
          new SignupFollowUps.FollowUp(
              signed.customer().id(), signed.box().id(), signed.box().botUsername()));
    }
    metrics.signup(ApiMetrics.Signup.CONTINUED);
    response.status(Status.SEE_OTHER_303);
    response.header(HeaderNames.LOCATION, session.url());
    response.send();
  }

  /** What a sign-up asks for, checked against the plan and with Telegram. */
  private record Checked(
      Plan plan,
      Long owner,
      BoxSettings settings,
      String useCase,
      TelegramBots.Bot bot,
      String botToken) {}

  private Checked check(SignupRequest body) {
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
    String botToken = body.botToken().strip();
    TelegramBots.Bot bot = telegram.identify(botToken, "botToken");
    return new Checked(plan, owner, settings, useCase, bot, botToken);
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

  /** A stored sign-up: the pending customer and their box. */
  private record Signed(Customer customer, Box box) {}

  /**
   * Stores the sign-up its email's owner continued: a new pending customer and box, or the email's
   * pending one updated (the same bot), or its unpaid box of another bot replaced.
   */
  private Signed register(DbExecute exec, String email, Checked checked) {
    Optional<Customer> known = customers.findByEmail(exec, email);
    if (known.isPresent() && known.get().status() != CustomerStatus.PENDING) {
      throw new ConflictException(
          "already_customer", "this email has an agent already: sign in to manage it");
    }
    Optional<Box> waiting = known.flatMap(c -> boxes.findLiveForCustomer(exec, c.id()));
    boolean otherBot = waiting.isPresent() && waiting.get().botId() != checked.bot().id();
    Customer customer =
        known.orElseGet(() -> customers.create(exec, new NewCustomer(email, null, null, null)));
    if (otherBot) {
      // It never ran (unpaid): it is only a row, and whoever made it did not own the address.
      boxes.markObserved(
          exec, waiting.get().id(), BoxObservedState.DESTROYED, "replaced by a later sign-up");
      if (customer.telegramUserId() != null && !customer.telegramUserId().equals(checked.owner())) {
        customer = customers.setTelegramUserId(exec, customer.id(), null);
      }
    }
    customer = ownedBy(exec, customer, checked.owner());
    if (waiting.isPresent() && !otherBot) {
      Box box = boxes.updateSettings(exec, waiting.get().id(), checked.settings());
      if (checked.useCase() != null) {
        box = boxes.setUseCase(exec, box.id(), checked.useCase());
      }
      return new Signed(customer, box);
    }
    Box box =
        boxes.create(
            exec,
            new NewBox(
                customer.id(),
                checked.bot().id(),
                checked.bot().username(),
                checked.botToken(),
                checked.settings().allowedTelegramUserIds(),
                checked.settings().model(),
                checked.settings().thinkingLevel(),
                runtime,
                checked.useCase()));
    return new Signed(customer, box);
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
