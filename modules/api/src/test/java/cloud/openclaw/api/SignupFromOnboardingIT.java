package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.signup.SignupFollowUps;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.Main.Sandbox;
import io.helidon.dbclient.DbRow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The onboarding agent signs up people from everywhere through one address: presenting its token,
 * it is limited per email only (people's addresses were limited where they reached us), while
 * anyone else's sign-ups count against their address. Its conversation hears, by the reference it
 * sent along, what the sign-up became once the email's owner opened the mailed link.
 */
@ServerTest
class SignupFromOnboardingIT {
  static final String ONBOARDING_TOKEN = "onboarding-token-" + UUID.randomUUID();
  static Sandbox sandbox;
  static ApiFixture api;
  private final ApiClient client;

  SignupFromOnboardingIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    sandbox = TestServices.sandbox();
    String base = "http://127.0.0.1:" + sandbox.port();
    api =
        ApiFixture.start(
            SignupFromOnboardingIT.class,
            Map.of(
                "telegram.api-root",
                base + "/telegram",
                "stripe.api-base",
                base + "/stripe",
                "api.signup.runtime",
                "local",
                "api.auth.login-limit.per-ip",
                "2",
                "api.onboarding.internal-token",
                ONBOARDING_TOKEN));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
    sandbox.close();
  }

  ApiClient.Answer signup(String bearer) {
    return signup(bearer, "ob-" + UUID.randomUUID() + "@example.com", Map.of());
  }

  ApiClient.Answer signup(String bearer, String email, Map<String, Object> more) {
    String token =
        sandbox.telegram().createBot("ob_" + Long.toHexString(System.nanoTime()) + "_bot").token();
    Map<String, Object> body = new LinkedHashMap<>(more);
    body.putAll(
        Map.of("email", email, "plan", "starter", "botToken", token, "ownerTelegramUserId", 4242));
    return client.post("/signup", bearer, ApiClient.json(body));
  }

  @Test
  void theOnboardingAgentIsNotLimitedPerAddressAndOthersAre() {
    for (int i = 0; i < 5; i++) {
      assertThat(signup(ONBOARDING_TOKEN).status()).isEqualTo(202);
    }
    assertThat(signup("not-the-onboarding-token").status()).isEqualTo(202);
    assertThat(signup(null).status()).isEqualTo(202);
    ApiClient.Answer third = signup(null);
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.code()).isEqualTo("too_many_requests");
  }

  @Test
  void theConversationHearsWhatItsSignupBecameWhenTheLinkIsOpened() {
    String email = "ob-" + UUID.randomUUID() + "@example.com";
    String reference = "web:" + UUID.randomUUID() + ":1";
    SignupFollowUps followUps = new SignupFollowUps(api.redis, new EventBus(api.redis));
    List<String> heard = new CopyOnWriteArrayList<>();
    try (EventBus.Subscription subscription = followUps.subscribe(heard::add, () -> {})) {
      assertThat(signup(ONBOARDING_TOKEN, email, Map.of("followUp", reference)).status())
          .isEqualTo(202);
      assertThat(followUps.find(reference)).as("nothing before the link is opened").isEmpty();

      ApiClient.Answer continued =
          client.send(
              client
                  .request("/signup/continue")
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString("token=" + mailedToken(email))));

      assertThat(continued.status()).as(continued.body()).isEqualTo(303);
      Customer customer =
          new CustomerStore(api.database).findByEmail(api.database.execute(), email).orElseThrow();
      Box box =
          new BoxStore(api.database, api.secrets).findLiveForCustomer(customer.id()).orElseThrow();
      assertThat(followUps.find(reference))
          .contains(new SignupFollowUps.FollowUp(customer.id(), box.id(), box.botUsername()));
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains(reference));
    }
  }

  /** The token of the sign-up link mailed to {@code email}. */
  private String mailedToken(String email) {
    try (Stream<DbRow> rows =
        api.database
            .execute()
            .query(
                "SELECT body FROM notifications WHERE recipient = ? AND dedupe_key LIKE"
                    + " 'signup_link:%'",
                email)) {
      Matcher link =
          Pattern.compile("/signup/continue\\?token=([A-Za-z0-9_-]+)")
              .matcher(rows.map(row -> Rows.string(row, "body")).findFirst().orElseThrow());
      assertThat(link.find()).isTrue();
      return link.group(1);
    }
  }
}
