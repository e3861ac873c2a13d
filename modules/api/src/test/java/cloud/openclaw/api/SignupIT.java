package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.api.signup.SignupLinks;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.NotificationStore;
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
import java.time.Duration;
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

/**
 * Sign-up: onboarding's answers are answered 202 whoever asks, and become a pending customer, their
 * box and a checkout only when the email's owner opens the mailed link.
 */
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
  void aSignupBecomesAPendingCustomerWithTheirBotsBoxAndACheckoutOnlyFromItsMailedLink() {
    String email = email();
    Bot bot = bot();

    ApiClient.Answer answer = signup(email, "starter", bot.token(), "");

    assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    assertThat(answer.json().properties()).extracting(Map.Entry::getKey).containsExactly("message");
    assertThat(customers().findByEmail(api.database.execute(), email))
        .as("nothing is stored under an email before its owner opens the link")
        .isEmpty();
    String token = continueToken(email, 0);
    ApiClient.Answer page = client.get("/signup/continue?token=" + token, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("action=\"/signup/continue\"").contains(token);

    ApiClient.Answer continued = continueWith(token, ApiFixture.PUBLIC_URL);

    assertThat(continued.status()).as(continued.body()).isEqualTo(303);
    assertThat(location(continued)).startsWith("http://127.0.0.1:" + sandbox.port() + "/stripe/");
    Customer customer = customer(email);
    assertThat(customer.status()).isEqualTo(CustomerStatus.PENDING);
    assertThat(customer.plan()).isEqualTo("starter");
    assertThat(customer.stripeCustomerId()).startsWith("cus_");
    assertThat(checkoutsOf(customer)).hasSize(1);
    BoxStore boxes = new BoxStore(api.database, api.secrets);
    Box box = box(email);
    assertThat(box.botId()).isEqualTo(bot.id());
    assertThat(box.botUsername()).isEqualTo(bot.username());
    assertThat(boxes.openBotToken(box)).isEqualTo(bot.token());
    assertThat(box.allowedTelegramUserIds()).containsExactly(4242L);
    assertThat(box.model()).isEqualTo("kimi-k2.6");
    assertThat(box.runtime()).isEqualTo(BoxRuntime.LOCAL);
    // Nothing runs before payment.
    assertThat(box.observedState()).isEqualTo(BoxObservedState.PENDING);
    assertThat(continueWith(token, ApiFixture.PUBLIC_URL).status())
        .as("the link works once")
        .isEqualTo(401);
  }

  /** Whether an email is new, has paid, or waits unpaid with this or another bot: one answer. */
  @Test
  void theAnswerDoesNotTellWhetherTheEmailHasAnAccount() {
    String fresh = email();
    String paid = signedUp(email(), bot());
    customers().setStatus(api.database.execute(), customer(paid).id(), CustomerStatus.ACTIVE);
    Bot waitingBot = bot();
    String waiting = signedUp(email(), waitingBot);

    List<ApiClient.Answer> answers =
        List.of(
            signup(fresh, "starter", bot().token(), ""),
            signup(paid, "starter", bot().token(), ""),
            signup(waiting, "starter", waitingBot.token(), ""),
            signup(waiting, "starter", bot().token(), ""));

    for (ApiClient.Answer answer : answers) {
      assertThat(answer.status()).as(answer.body()).isEqualTo(202);
      assertThat(answer.json()).isEqualTo(answers.getFirst().json());
      assertThat(answer.response().headers().map().keySet())
          .isEqualTo(answers.getFirst().response().headers().map().keySet());
    }
    assertThat(mailsTo(paid, "sign_in_link:")).hasSize(1);
    assertThat(mailsTo(paid, "signup_link:")).as("only the first sign-up's").hasSize(1);
    assertThat(mailsTo(fresh, "signup_link:")).hasSize(1);
    assertThat(mailsTo(waiting, "signup_link:")).hasSize(3);
  }

  @Test
  void signingUpAgainBeforePayingUpdatesTheSameCustomerWithAFreshCheckout() {
    String email = email();
    Bot bot = bot();
    signedUp(email, bot);
    Customer first = customer(email);
    Box firstBox = box(email);

    client.post(
        "/signup",
        null,
        "{\"email\":\""
            + email.toUpperCase()
            + "\",\"plan\":\"pro\",\"botToken\":\""
            + bot.token()
            + "\",\"allowedTelegramUserIds\":[1,2],\"model\":\"kimi-k3\"}");
    assertThat(continueWith(continueToken(email, 1), ApiFixture.PUBLIC_URL).status())
        .isEqualTo(303);

    assertThat(customer(email).id()).isEqualTo(first.id());
    Box box = box(email);
    assertThat(box.id()).isEqualTo(firstBox.id());
    assertThat(box.allowedTelegramUserIds()).containsExactly(1L, 2L);
    assertThat(box.model()).isEqualTo("kimi-k3");
    assertThat(checkoutsOf(first)).hasSize(2);
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
    assertRefused(signup(email(), "starter", token, ",\"followUp\":\"web:x:1\""), 400, "followUp");
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

  /** Only a bot's owner holds its token, so another agent's bot is refused at once. */
  @Test
  void oneBotOneAgent() {
    double mailed = signups("mailed");
    double continued = signups("continued");
    double refused = signups("refused");
    Bot bot = bot();
    signedUp(email(), bot);

    assertRefused(signup(email(), "starter", bot.token(), ""), 409, null, "bot_in_use");
    assertThat(signups("mailed") - mailed).isEqualTo(1);
    assertThat(signups("continued") - continued).isEqualTo(1);
    assertThat(signups("refused") - refused).isEqualTo(1);
  }

  private static double signups(String outcome) {
    return api.registry.get("api_signups").tag("outcome", outcome).counter().count();
  }

  @Test
  void aCustomerWhoPaidGetsASignInLinkByMailAndNothingChanges() {
    String email = signedUp(email(), bot());
    Customer customer = customer(email);
    customers().setStatus(api.database.execute(), customer.id(), CustomerStatus.ACTIVE);

    assertThat(signup(email, "starter", bot().token(), "").status()).isEqualTo(202);

    assertThat(mailsTo(email, "sign_in_link:")).hasSize(1);
    assertThat(mailsTo(email, "signup_link:")).hasSize(1);
    assertThat(
            new BoxStore(api.database, api.secrets)
                .listForCustomer(api.database.execute(), customer.id()))
        .hasSize(1);
  }

  /**
   * Someone signs up under an email that is not theirs: nothing is stored, and the address's owner
   * signs up as if nobody had; an unpaid sign-up of the owner's with another bot is replaced when
   * the newer link is opened.
   */
  @Test
  void nobodyHoldsAnEmailTheyCannotReadAndANewerSignupReplacesAnUnpaidOne() {
    String email = email();
    assertThat(signup(email, "starter", bot().token(), ",\"ownerTelegramUserId\":880001").status())
        .isEqualTo(202);
    assertThat(customers().findByEmail(api.database.execute(), email)).isEmpty();
    signedUp(email, bot());
    Box unpaid = box(email);
    Bot own = bot();

    assertThat(signup(email, "starter", own.token(), ",\"ownerTelegramUserId\":880002").status())
        .isEqualTo(202);
    assertThat(box(email).id()).as("nothing changes before the link").isEqualTo(unpaid.id());
    assertThat(continueWith(continueToken(email, 2), ApiFixture.PUBLIC_URL).status())
        .isEqualTo(303);

    Customer customer = customer(email);
    assertThat(customer.status()).isEqualTo(CustomerStatus.PENDING);
    assertThat(customer.telegramUserId()).isEqualTo(880002L);
    BoxStore boxes = new BoxStore(api.database, api.secrets);
    Box live = box(email);
    assertThat(live.botId()).isEqualTo(own.id());
    assertThat(boxes.openBotToken(live)).isEqualTo(own.token());
    assertThat(live.allowedTelegramUserIds()).containsExactly(880002L, 4242L);
    assertThat(boxes.find(unpaid.id()).orElseThrow().destroyedAt()).isNotNull();
  }

  /** Links are not resealed (they last minutes): one under a retired key is simply expired. */
  @Test
  void aLinkSealedUnderARetiredKeyIsExpiredNotAnError() {
    String email = email();
    SignupLinks.Signup signup =
        new SignupLinks.Signup(
            email, "starter", "old_bot", "1:token", List.of(4242L), null, null, null, null, null);
    byte[] old = new byte[32];
    links(new SecretBox(new CryptoSettings("old", Map.of("old", old)))).send(signup);
    String token = continueToken(email, 0);

    ApiClient.Answer continued = continueWith(token, ApiFixture.PUBLIC_URL);

    assertThat(continued.status()).as(continued.body()).isEqualTo(401);
    assertThat(customers().findByEmail(api.database.execute(), email)).isEmpty();
  }

  private static SignupLinks links(SecretBox secrets) {
    return new SignupLinks(
        api.redis,
        secrets,
        new NotificationStore(api.database),
        URI.create(ApiFixture.PUBLIC_URL),
        Duration.ofMinutes(15));
  }

  @Test
  void anotherSitesPageCannotContinueASignup() {
    String email = email();
    assertThat(signup(email, "starter", bot().token(), "").status()).isEqualTo(202);
    String token = continueToken(email, 0);

    assertThat(continueWith(token, "https://evil.example").status()).isEqualTo(403);
    assertThat(customers().findByEmail(api.database.execute(), email)).isEmpty();

    assertThat(continueWith(token, null).status()).isEqualTo(303);
  }

  private static final Pattern CONTINUE_LINK =
      Pattern.compile("https://\\S+/signup/continue\\?token=([A-Za-z0-9_-]+)");

  /** Signs {@code email} up with {@code bot} and opens the mailed link: a pending customer. */
  private String signedUp(String email, Bot bot) {
    return signedUp(email, bot, "");
  }

  private String signedUp(String email, Bot bot, String more) {
    int before = mailsTo(email, "signup_link:").size();
    ApiClient.Answer answer = signup(email, "starter", bot.token(), more);
    assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    ApiClient.Answer continued = continueWith(continueToken(email, before), null);
    assertThat(continued.status()).as(continued.body()).isEqualTo(303);
    return email;
  }

  /** The token of the {@code index}th sign-up link mailed to {@code email}. */
  private String continueToken(String email, int index) {
    List<String> mails = mailsTo(email, "signup_link:");
    assertThat(mails).hasSizeGreaterThan(index);
    Matcher link = CONTINUE_LINK.matcher(mails.get(index));
    assertThat(link.find()).as(mails.get(index)).isTrue();
    return link.group(1);
  }

  private static String location(ApiClient.Answer answer) {
    return answer.response().headers().firstValue("Location").orElseThrow();
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
                    + " ORDER BY created_at, id",
                email,
                dedupePrefix + "%")) {
      return rows.map(row -> Rows.string(row, "body")).toList();
    }
  }

  @Test
  void theOwnerIsAllowedFirstAndRecordedOnTheCustomerAndTheUseCaseOnTheBox() {
    String useCase = "Answer my bakery's customers about opening hours and \"today's\" bread.";

    String email =
        signedUp(
            email(), bot(), ",\"ownerTelegramUserId\":777001,\"useCase\":" + Json.write(useCase));

    assertThat(customer(email).telegramUserId()).isEqualTo(777001L);
    Box box = box(email);
    assertThat(box.allowedTelegramUserIds()).containsExactly(777001L, 4242L);
    assertThat(box.useCase()).isEqualTo(useCase);
  }

  @Test
  void anOwnerWhoIsAnotherCustomersTelegramUserIsStillAllowedButNotRecordedTwice() {
    String first = signedUp(email(), bot(), ",\"ownerTelegramUserId\":777002");
    assertThat(customer(first).telegramUserId()).isEqualTo(777002L);

    String second =
        signedUp(
            email(), bot(), ",\"ownerTelegramUserId\":777002,\"allowedTelegramUserIds\":[777002]");

    assertThat(customer(second).id()).isNotEqualTo(customer(first).id());
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
    String email = signedUp(email(), bot(), ",\"useCase\":\"  \"");
    assertThat(box(email).useCase()).isNull();
  }

  @Test
  void theSameIdempotencyKeyGivesTheSameAnswerWithoutASecondMail() {
    String email = email();
    String request = request(email, bot().token());
    String key = "web:" + UUID.randomUUID() + ":1";

    ApiClient.Answer first = signupWithKey(key, request);
    ApiClient.Answer again = signupWithKey(key, request);

    assertThat(first.status()).as(first.body()).isEqualTo(202);
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json()).isEqualTo(first.json());
    assertThat(mailsTo(email, "signup_link:")).hasSize(1);
    // Without the key, asking again mails again (the behaviour before keys).
    assertThat(signupWithKey(null, request).status()).isEqualTo(202);
    assertThat(mailsTo(email, "signup_link:")).hasSize(2);
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
      ApiClient.Answer one = answers.get(0).get(30, TimeUnit.SECONDS);
      ApiClient.Answer other = answers.get(1).get(30, TimeUnit.SECONDS);

      assertThat(one.status()).as(one.body()).isEqualTo(202);
      assertThat(other.json()).isEqualTo(one.json());
    }
    assertThat(mailsTo(email, "signup_link:")).hasSize(1);
  }

  @Test
  void aKeyUsedForOtherAnswersIsRefused() {
    String email = email();
    String token = bot().token();
    String key = "web:" + UUID.randomUUID() + ":1";
    assertThat(signupWithKey(key, request(email, token)).status()).isEqualTo(202);

    assertRefused(
        signupWithKey(key, request(email, token).replace("4242", "4343")),
        409,
        null,
        "idempotency_key_reused");
    assertRefused(signupWithKey("k".repeat(201), request(email(), token)), 400, "Idempotency-Key");
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
    HttpRequest.Builder request =
        client.request("/signup").header("Content-Type", "application/json");
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return client.send(request.POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private static CustomerStore customers() {
    return new CustomerStore(api.database);
  }

  private static Customer customer(String email) {
    return customers().findByEmail(api.database.execute(), email).orElseThrow();
  }

  /** The email's live box. */
  private static Box box(String email) {
    return new BoxStore(api.database, api.secrets)
        .findLiveForCustomer(customer(email).id())
        .orElseThrow();
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
