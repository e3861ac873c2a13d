package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.onboarding.ConversationLog;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The api as Main starts it serves the chat's WebSocket beside its HTTP routes. */
class OnboardingMainIT {
  @Test
  void mainServesTheChatSocket() {
    try (ApiFixture api = ApiFixture.start(OnboardingMainIT.class)) {
      Map<String, String> config = new HashMap<>(api.config);
      config.put("api.host", "127.0.0.1");
      config.put("api.port", "0");
      try (RunningService service = Main.start(ConfigLoader.load("api", Map.of(), config))) {
        URI uri = URI.create("http://127.0.0.1:" + service.port());
        ApiClient client = new ApiClient(uri);
        ApiClient.Answer session = client.post("/onboarding/sessions", null, null);
        assertThat(session.status()).isEqualTo(201);
        String setCookie = session.response().headers().firstValue("Set-Cookie").orElseThrow();
        String sessionId = session.json().path("sessionId").asText();

        ChatClient chat =
            ChatClient.open(
                uri,
                "/onboarding/chat/" + sessionId,
                setCookie.substring(0, setCookie.indexOf(';')));
        new ConversationLog(api.redis, Duration.ofDays(7))
            .append(
                "web:" + sessionId, "{\"type\":\"message\",\"messageId\":\"m\",\"text\":\"hi\"}");

        await().atMost(10, TimeUnit.SECONDS).until(() -> chat.frames.size() == 1);
        assertThat(chat.frames.getFirst().path("text").asText()).isEqualTo("hi");
        chat.close();
      }
    }
  }
}
