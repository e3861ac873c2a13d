package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.Main.Sandbox;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The onboarding agent signs up people from everywhere through one address: presenting its token,
 * it is limited per email only (people's addresses were limited where they reached us), while
 * anyone else's sign-ups count against their address.
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
    String token =
        sandbox.telegram().createBot("ob_" + Long.toHexString(System.nanoTime()) + "_bot").token();
    return client.post(
        "/signup",
        bearer,
        ApiClient.json(
            Map.of(
                "email",
                "ob-" + UUID.randomUUID() + "@example.com",
                "plan",
                "starter",
                "botToken",
                token,
                "ownerTelegramUserId",
                4242)));
  }

  @Test
  void theOnboardingAgentIsNotLimitedPerAddressAndOthersAre() {
    for (int i = 0; i < 5; i++) {
      assertThat(signup(ONBOARDING_TOKEN).status()).isEqualTo(201);
    }
    assertThat(signup("not-the-onboarding-token").status()).isEqualTo(201);
    assertThat(signup(null).status()).isEqualTo(201);
    ApiClient.Answer third = signup(null);
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.code()).isEqualTo("too_many_requests");
  }
}
