package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.sandbox.telegram.Bot;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.dbclient.DbRow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Sign-up: onboarding's answers become a pending customer, their box, and a checkout to pay at. */
@ServerTest
class SignupIT {
  static Sandbox sandbox;
  static ApiFixture api;
  private final ApiClient client;

  SignupIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    sandbox = TestServices.sandbox();
    String base = "http://127.0.0.1:" + sandbox.port();
    api =
        ApiFixture.start(
            SignupIT.class,
            Map.of(
                "telegram.api-root", base + "/telegram",
                "stripe.api-base", base + "/stripe",
                "api.signup.runtime", "local"));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
    sandbox.close();
  }

  static String email() {
    return "signup-" + UUID.randomUUID() + "@example.com";
  }

  static Bot bot() {
    return sandbox.telegram().createBot("agent_" + Long.toHexString(System.nanoTime()) + "_bot");
  }

  ApiClient.Answer signup(String email, String plan, String token, String more) {
    return client.post(
        "/signup",
        null,
        "{\"email\":\""
            + email
            + "\",\"plan\":\""
            + plan
            + "\",\"botToken\":\""
            + token
            + "\",\"allowedTelegramUserIds\":[4242]"
            + more
            + "}");
  }

  @Test
  void aSignupIsAPendingCustomerWithTheirBotsBoxAndACheckout() {
    String email = email();
    Bot bot = bot();

    ApiClient.Answer answer = signup(email, "starter", bot.token(), "");

    assertThat(answer.status()).isEqualTo(201);
    JsonNode body = answer.json();
    assertThat(body.path("botUsername").asText()).isEqualTo(bot.username());
    assertThat(body.path("checkoutUrl").asText())
        .startsWith("http://127.0.0.1:" + sandbox.port() + "/stripe/");
    Customer customer =
        new CustomerStore(api.database)
            .find(UUID.fromString(body.path("customerId").asText()))
            .orElseThrow();
    assertThat(customer.email()).isEqualTo(email);
    assertThat(customer.status()).isEqualTo(CustomerStatus.PENDING);
    assertThat(customer.plan()).isEqualTo("starter");
    assertThat(customer.stripeCustomerId()).startsWith("cus_");
    BoxStore boxes = new BoxStore(api.database, api.secrets);
    Box box = boxes.findLiveForCustomer(customer.id()).orElseThrow();
    assertThat(box.id().toString()).isEqualTo(body.path("boxId").asText());
    assertThat(box.botId()).isEqualTo(bot.id());
    assertThat(boxes.openBotToken(box)).isEqualTo(bot.token());
    assertThat(box.allowedTelegramUserIds()).containsExactly(4242L);
    assertThat(box.model()).isEqualTo("kimi-k2.6");
    assertThat(box.runtime()).isEqualTo(BoxRuntime.LOCAL);
    // Nothing runs before payment.
    assertThat(box.observedState()).isEqualTo(BoxObservedState.PENDING);
  }

  @Test
  void askingAgainBeforePayingGivesAFreshCheckoutForTheSameCustomer() {
    String email = email();
    Bot bot = bot();
    JsonNode first = signup(email, "starter", bot.token(), "").json();

    ApiClient.Answer again =
        client.post(
            "/signup",
            null,
            "{\"email\":\""
                + email.toUpperCase()
                + "\",\"plan\":\"pro\",\"botToken\":\""
                + bot.token()
                + "\",\"allowedTelegramUserIds\":[1,2],\"model\":\"kimi-k3\"}");

    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().path("customerId").asText())
        .isEqualTo(first.path("customerId").asText());
    assertThat(again.json().path("boxId").asText()).isEqualTo(first.path("boxId").asText());
    assertThat(again.json().path("checkoutSessionId").asText())
        .isNotEqualTo(first.path("checkoutSessionId").asText());
    Box box =
        new BoxStore(api.database, api.secrets)
            .find(UUID.fromString(first.path("boxId").asText()))
            .orElseThrow();
    assertThat(box.allowedTelegramUserIds()).containsExactly(1L, 2L);
    assertThat(box.model()).isEqualTo("kimi-k3");
  }

  @Test
  void refusesWhatCannotBecomeAnAgent() {
    String token = bot().token();
    assertRefused(signup(email(), "starter", "123:unknownbot", ""), 400, "botToken");
    assertRefused(signup(email(), "starter", "not a token", ""), 400, "botToken");
    assertRefused(signup(email(), "gold", token, ""), 400, "plan");
    assertRefused(signup("nobody", "starter", token, ""), 400, "email");
    assertRefused(signup(email(), "starter", token, ",\"model\":\"kimi-k3\""), 400, "model");
    assertRefused(
        signup(email(), "starter", token, ",\"thinkingLevel\":\"max\""), 400, "thinkingLevel");
    assertRefused(signup(email(), "starter", token, ",\"extra\":1"), 400, "extra");
    assertRefused(
        client.post(
            "/signup",
            null,
            "{\"email\":\"" + email() + "\",\"plan\":\"starter\",\"botToken\":\"" + token + "\"}"),
        400,
        "allowedTelegramUserIds");
    assertRefused(client.post("/signup", null, "{\"email\":"), 400, null);
    assertRefused(client.post("/signup", null, null), 400, null);
  }

  @Test
  void oneBotOneAgent() {
    double created = signups("created");
    double refused = signups("refused");
    Bot bot = bot();
    assertThat(signup(email(), "starter", bot.token(), "").status()).isEqualTo(201);

    assertRefused(signup(email(), "starter", bot.token(), ""), 409, null, "bot_in_use");
    assertThat(signups("created") - created).isEqualTo(1);
    assertThat(signups("refused") - refused).isEqualTo(1);
  }

  private static double signups(String outcome) {
    return api.registry.get("api_signups").tag("outcome", outcome).counter().count();
  }

  @Test
  void aCustomerWhoPaidGetsASignInLinkByMailAndTheAnswerSaysNoMore() {
    String email = email();
    JsonNode body = signup(email, "starter", bot().token(), "").json();
    UUID customerId = UUID.fromString(body.path("customerId").asText());
    new CustomerStore(api.database)
        .setStatus(api.database.execute(), customerId, CustomerStatus.ACTIVE);

    ApiClient.Answer again = signup(email, "starter", bot().token(), "");

    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().properties()).extracting(Map.Entry::getKey).containsExactly("message");
    assertThat(mailsTo(email, "sign_in_link:")).hasSize(1);
    assertThat(
            new BoxStore(api.database, api.secrets)
                .listForCustomer(api.database.execute(), customerId))
        .hasSize(1);
  }

  /**
   * Someone signs up (and does not pay) under an email that is not theirs: the address's owner is
   * answered the same as for an email that has paid, and continues by the mailed link, which
   * replaces the unpaid sign-up with theirs.
   */
  @Test
  void anUnpaidSignupUnderSomeoneElsesEmailDoesNotKeepItsOwnerOut() {
    String email = email();
    JsonNode squatter =
        signup(email, "starter", bot().token(), ",\"ownerTelegramUserId\":880001").json();
    Bot own = bot();

    ApiClient.Answer owner =
        signup(email, "starter", own.token(), ",\"ownerTelegramUserId\":880002");

    assertThat(owner.status()).isEqualTo(202);
    assertThat(owner.json()).isEqualTo(paidEmailAnswer());
    assertThat(box(squatter).botId()).as("nothing changes before the link").isNotEqualTo(own.id());
    List<String> mails = mailsTo(email, "signup_link:");
    assertThat(mails).hasSize(1);
    Matcher link = CONTINUE_LINK.matcher(mails.getFirst());
    assertThat(link.find()).as(mails.getFirst()).isTrue();
    String token = link.group(1);

    ApiClient.Answer page = client.get("/signup/continue?token=" + token, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("action=\"/signup/continue\"").contains(token);
    ApiClient.Answer continued = continueWith(token, ApiFixture.PUBLIC_URL);

    assertThat(continued.status()).as(continued.body()).isEqualTo(303);
    assertThat(continued.response().headers().firstValue("Location").orElseThrow())
        .startsWith("http://127.0.0.1:" + sandbox.port() + "/stripe/");
    Customer customer = customer(squatter);
    assertThat(customer.status()).isEqualTo(CustomerStatus.PENDING);
    assertThat(customer.telegramUserId()).isEqualTo(880002L);
    BoxStore boxes = new BoxStore(api.database, api.secrets);
    Box live = boxes.findLiveForCustomer(customer.id()).orElseThrow();
    assertThat(live.botId()).isEqualTo(own.id());
    assertThat(boxes.openBotToken(live)).isEqualTo(own.token());
    assertThat(live.allowedTelegramUserIds()).containsExactly(880002L, 4242L);
    assertThat(box(squatter).destroyedAt()).isNotNull();

    ApiClient.Answer twice = continueWith(token, ApiFixture.PUBLIC_URL);
    assertThat(twice.status()).isEqualTo(401);
  }

  @Test
  void anotherSitesPageCannotContinueASignup() {
    String email = email();
    JsonNode first = signup(email, "starter", bot().token(), "").json();
    assertThat(signup(email, "starter", bot().token(), "").status()).isEqualTo(202);
    Matcher link = CONTINUE_LINK.matcher(mailsTo(email, "signup_link:").getFirst());
    assertThat(link.find()).isTrue();

    assertThat(continueWith(link.group(1), "https://evil.example").status()).isEqualTo(403);
    assertThat(box(first).destroyedAt()).isNull();

    assertThat(continueWith(link.group(1), null).status()).isEqualTo(303);
  }

  private static final Pattern CONTINUE_LINK =
      Pattern.compile("https://\\S+/signup/continue\\?token=([A-Za-z0-9_-]+)");

  /** What an email that has paid is answered. */
  private JsonNode paidEmailAnswer() {
    String email = email();
    JsonNode body = signup(email, "starter", bot().token(), "").json();
    new CustomerStore(api.database)
        .setStatus(
            api.database.execute(),
            UUID.fromString(body.path("customerId").asText()),
            CustomerStatus.ACTIVE);
    return signup(email, "starter", bot().token(), "").json();
  }

  private ApiClient.Answer continueWith(String token, String origin) {
    HttpRequest.Builder request =
        client
            .request("/signup/continue")
            .header("Content-Type", "application/x-www-form-urlencoded");
    if (origin != null) {
      request.header("Origin", origin);
    }
    return client.send(request.POST(HttpRequest.BodyPublishers.ofString("token=" + token)));
  }

  /** The mails in the outbox for {@code email} whose dedupe key starts so, oldest first. */
  private List<String> mailsTo(String email, String dedupePrefix) {
    try (Stream<DbRow> rows =
        api.database
            .execute()
            .query(
                "SELECT body FROM notifications WHERE recipient = ? AND dedupe_key LIKE ?"
                    + " ORDER BY created_at",
                email,
                dedupePrefix + "%")) {
      return rows.map(row -> Rows.string(row, "body")).toList();
    }
  }

  @Test
  void theOwnerIsAllowedFirstAndRecordedOnTheCustomerAndTheUseCaseOnTheBox() {
    String email = email();
    String useCase = "Answer my bakery's customers about opening hours and \"today's\" bread.";

    JsonNode body =
        signup(
                email,
                "starter",
                bot().token(),
                ",\"ownerTelegramUserId\":777001,\"useCase\":" + Json.write(useCase))
            .json();

    Customer customer = customer(body);
    assertThat(customer.telegramUserId()).isEqualTo(777001L);
    Box box = box(body);
    assertThat(box.allowedTelegramUserIds()).containsExactly(777001L, 4242L);
    assertThat(box.useCase()).isEqualTo(useCase);
  }

  @Test
  void anOwnerWhoIsAnotherCustomersTelegramUserIsStillAllowedButNotRecordedTwice() {
    JsonNode first =
        signup(email(), "starter", bot().token(), ",\"ownerTelegramUserId\":777002").json();
    assertThat(customer(first).telegramUserId()).isEqualTo(777002L);

    JsonNode second =
        signup(
                email(),
                "starter",
                bot().token(),
                ",\"ownerTelegramUserId\":777002,\"allowedTelegramUserIds\":[777002]")
            .json();

    assertThat(second.path("customerId").asText()).isNotEqualTo(first.path("customerId").asText());
    assertThat(customer(second).telegramUserId()).isNull();
    assertThat(box(second).allowedTelegramUserIds()).containsExactly(777002L);
  }

  @Test
  void refusesABadOwnerOrUseCase() {
    String token = bot().token();
    assertRefused(
        signup(email(), "starter", token, ",\"ownerTelegramUserId\":0"),
        400,
        "ownerTelegramUserId");
    assertRefused(
        signup(email(), "starter", token, ",\"useCase\":" + Json.write("x".repeat(2001))),
        400,
        "useCase");
    // A blank use case is no use case.
    JsonNode body = signup(email(), "starter", token, ",\"useCase\":\"  \"").json();
    assertThat(box(body).useCase()).isNull();
  }

  @Test
  void theSameIdempotencyKeyGivesTheSameAnswerWithoutASecondCheckout() {
    String email = email();
    String request = request(email, bot().token());
    String key = "web:" + UUID.randomUUID() + ":1";

    ApiClient.Answer first = signupWithKey(key, request);
    ApiClient.Answer again = signupWithKey(key, request);

    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json()).isEqualTo(first.json());
    assertThat(checkoutsOf(customer(first.json()))).hasSize(1);
    // Without the key, asking again is a fresh checkout (the behaviour before keys).
    assertThat(signup(email, "starter", botOf(first), "").json().path("checkoutSessionId").asText())
        .isNotEqualTo(first.json().path("checkoutSessionId").asText());
  }

  @Test
  void twoConcurrentRequestsWithOneKeyAreOneSignup() throws Exception {
    String email = email();
    String request = request(email, bot().token());
    String key = "tg:" + UUID.randomUUID() + ":1";
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<ApiClient.Answer>> answers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        answers.add(
            threads.submit(
                () -> {
                  start.await();
                  return signupWithKey(key, request);
                }));
      }
      start.countDown();
      JsonNode one = answers.get(0).get(30, TimeUnit.SECONDS).json();
      JsonNode other = answers.get(1).get(30, TimeUnit.SECONDS).json();

      assertThat(one.path("checkoutSessionId").asText()).startsWith("cs_");
      assertThat(other).isEqualTo(one);
    }
    Customer customer =
        new CustomerStore(api.database).findByEmail(api.database.execute(), email).orElseThrow();
    assertThat(checkoutsOf(customer)).hasSize(1);
  }

  @Test
  void aKeyUsedForOtherAnswersIsRefused() {
    String email = email();
    String token = bot().token();
    String key = "web:" + UUID.randomUUID() + ":1";
    assertThat(signupWithKey(key, request(email, token)).status()).isEqualTo(201);

    assertRefused(
        signupWithKey(key, request(email, token).replace("4242", "4343")),
        409,
        null,
        "idempotency_key_reused");
    assertRefused(signupWithKey("k".repeat(201), request(email(), token)), 400, "Idempotency-Key");
  }

  /** The onboarding chat asks for another email under the same key after a 202. */
  @Test
  void aSignupAnsweredByMailKeepsNothingUnderItsKey() {
    String paid = email();
    new CustomerStore(api.database)
        .setStatus(
            api.database.execute(),
            UUID.fromString(
                signup(paid, "starter", bot().token(), "").json().path("customerId").asText()),
            CustomerStatus.ACTIVE);
    String token = bot().token();
    String key = "web:" + UUID.randomUUID() + ":1";
    assertThat(signupWithKey(key, request(paid, token)).status()).isEqualTo(202);

    assertThat(signupWithKey(key, request(email(), token)).status()).isEqualTo(201);
  }

  private static String request(String email, String token) {
    return Json.write(
        Map.of(
            "email",
            email,
            "plan",
            "starter",
            "botToken",
            token,
            "allowedTelegramUserIds",
            List.of(4242),
            "ownerTelegramUserId",
            Math.abs(UUID.randomUUID().getLeastSignificantBits() % 1_000_000_000L) + 1,
            "useCase",
            "Keep my shopping list."));
  }

  private ApiClient.Answer signupWithKey(String key, String json) {
    return client.send(
        client
            .request("/signup")
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private static Customer customer(JsonNode body) {
    return new CustomerStore(api.database)
        .find(UUID.fromString(body.path("customerId").asText()))
        .orElseThrow();
  }

  private static Box box(JsonNode body) {
    return new BoxStore(api.database, api.secrets)
        .find(UUID.fromString(body.path("boxId").asText()))
        .orElseThrow();
  }

  private static String botOf(ApiClient.Answer answer) {
    Box box = box(answer.json());
    return new BoxStore(api.database, api.secrets).openBotToken(box);
  }

  /** The checkout sessions the Stripe stand-in opened for the customer. */
  private static List<String> checkoutsOf(Customer customer) {
    return sandbox.stripe().state().objects().get("checkout_sessions").values().stream()
        .filter(session -> customer.stripeCustomerId().equals(session.path("customer").asText()))
        .map(session -> session.path("id").asText())
        .toList();
  }

  static void assertRefused(ApiClient.Answer answer, int status, String field) {
    assertRefused(answer, status, field, null);
  }

  static void assertRefused(ApiClient.Answer answer, int status, String field, String code) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    JsonNode error = answer.json().path("error");
    if (field != null) {
      assertThat(error.path("field").asText()).as(answer.body()).isEqualTo(field);
    }
    if (code != null) {
      assertThat(error.path("code").asText()).isEqualTo(code);
    }
    assertThat(error.path("message").asText()).isNotBlank();
  }
}
