package cloud.openclaw.api.onboarding;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.logging.RequestIds;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The onboarding agent's input: {@code POST <agent>/conversations/<key>/input} with the internal
 * bearer token. The agent's reply reaches the client through the conversation log, not here.
 */
public final class AgentInput {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(3))
          .build();
  private final URI agent;
  private final String token;

  public AgentInput(URI agent, String token) {
    this.agent = agent;
    this.token = token;
  }

  /** What the agent said to one input: accepted, or refused with a code and a message. */
  public record Outcome(boolean accepted, String code, String message) {
    static final Outcome ACCEPTED = new Outcome(true, null, null);
  }

  /** Hands one input (a text, a choice, a bot token) to the conversation. */
  public Outcome send(String conversation, Map<String, Object> input) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                // Keys are "web:" plus base64url: nothing in them needs escaping in a path.
                URI.create(agent + "/conversations/" + conversation + "/input"))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(input)));
    if (!token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    RequestIds.passOn(request);
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 == 2) {
        return Outcome.ACCEPTED;
      }
      if (response.statusCode() / 100 == 4 && response.statusCode() != 401) {
        JsonNode error = error(response.body());
        return new Outcome(
            false,
            error.path("code").asText("invalid_input"),
            error.path("message").asText("the onboarding agent refused this message"));
      }
      return unavailable();
    } catch (IOException e) {
      return unavailable();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unavailable();
    }
  }

  private static Outcome unavailable() {
    return new Outcome(
        false, "unavailable", "the onboarding assistant cannot be reached: try again in a moment");
  }

  private static JsonNode error(String body) {
    try {
      return Json.MAPPER.readTree(body).path("error");
    } catch (IOException e) {
      return Json.MAPPER.missingNode();
    }
  }
}
