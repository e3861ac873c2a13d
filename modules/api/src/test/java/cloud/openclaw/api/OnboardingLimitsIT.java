package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The web chat's limits: chats started per address, messages per chat. */
@ServerTest
class OnboardingLimitsIT {
  static InputRecorder agent;
  static ApiFixture api;
  private final URI uri;
  private final ApiClient client;

  OnboardingLimitsIT(URI uri) {
    this.uri = uri;
    client = new ApiClient(uri);
  }

  @SetUpServer
  static void server(WebServerConfig.Builder server) {
    agent = new InputRecorder();
    api =
        ApiFixture.start(
            OnboardingLimitsIT.class,
            Map.of(
                "api.onboarding.url", agent.url(),
                "api.onboarding.limits.sessions-per-ip", "3",
                "api.onboarding.limits.messages-per-session", "2"));
    api.server(server);
  }

  @AfterStop
  static void stop() {
    api.close();
    agent.close();
  }

  @Test
  void tooManyMessagesInAChatAreAnErrorFrameAndNotRelayed() {
    ApiClient.Answer session = client.post("/onboarding/sessions", null, null);
    String setCookie = session.response().headers().firstValue("Set-Cookie").orElseThrow();
    ChatClient chat =
        ChatClient.open(
            uri,
            "/onboarding/chat/" + session.json().path("sessionId").asText(),
            setCookie.substring(0, setCookie.indexOf(';')));
    int before = agent.posted().size();

    for (int i = 0; i < 3; i++) {
      chat.send(Map.of("type", "text", "text", "message " + i));
    }

    await().atMost(10, TimeUnit.SECONDS).until(() -> !chat.ofType("error").isEmpty());
    JsonNode error = chat.ofType("error").getFirst();
    assertThat(error.path("code").asText()).isEqualTo("rate_limited");
    assertThat(error.path("retryAfter").asLong()).isPositive();
    assertThat(agent.posted()).hasSize(before + 2);
    assertThat(chat.closed).isNotDone();
    chat.close();

    // Too many chats from one address: the session limit counts the one above too.
    ApiClient.Answer second = client.post("/onboarding/sessions", null, null);
    ApiClient.Answer third = client.post("/onboarding/sessions", null, null);
    ApiClient.Answer fourth = client.post("/onboarding/sessions", null, null);
    assertThat(second.status()).isEqualTo(201);
    assertThat(third.status()).isEqualTo(201);
    assertThat(fourth.status()).isEqualTo(429);
    assertThat(fourth.code()).isEqualTo("too_many_requests");
    assertThat(fourth.response().headers().firstValue("Retry-After")).isPresent();
  }
}
