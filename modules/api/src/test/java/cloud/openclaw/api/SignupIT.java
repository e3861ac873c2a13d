package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.sandbox.telegram.Bot;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
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

    assertThat(again.status()).isEqualTo(200);
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
  void oneBotOneAgentAndOneSignupPerEmail() {
    String email = email();
    Bot bot = bot();
    assertThat(signup(email, "starter", bot.token(), "").status()).isEqualTo(201);

    assertRefused(signup(email, "starter", bot().token(), ""), 409, null, "signup_pending");
    assertRefused(signup(email(), "starter", bot.token(), ""), 409, null, "bot_in_use");
  }

  @Test
  void aCustomerWhoPaidSignsInInstead() {
    String email = email();
    JsonNode body = signup(email, "starter", bot().token(), "").json();
    new CustomerStore(api.database)
        .setStatus(
            api.database.execute(),
            UUID.fromString(body.path("customerId").asText()),
            CustomerStatus.ACTIVE);

    assertRefused(signup(email, "starter", bot().token(), ""), 409, null, "already_customer");
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
