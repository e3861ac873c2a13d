package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.logging.RequestIds;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The api's {@code POST /signup}: what the conversation collected goes to the api, which mails its
 * email's owner the way on (the checkout link) and answers 202 whoever the email belongs to. The
 * {@code followUp} reference comes back through {@code SignupFollowUps} when the owner opens the
 * link; the {@code Idempotency-Key} (conversation key and attempt) keeps a repeated call from
 * mailing twice.
 */
public final class SignupClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI signup;
  private final String internalToken;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /**
   * @param internalToken presented as a bearer, so the api knows the caller is this agent (which
   *     signs up people from everywhere through one address); empty: none
   */
  public SignupClient(URI apiUrl, String internalToken) {
    String root = apiUrl.toString();
    this.signup = URI.create((root.endsWith("/") ? root : root + "/") + "signup");
    this.internalToken = internalToken;
  }

  /** What the api asks for. */
  public record Request(
      String email,
      String plan,
      String botToken,
      long ownerTelegramUserId,
      List<Long> allowedTelegramUserIds,
      String useCase,
      String followUp) {}

  /** The api refused the sign-up (4xx): its error code, message and field (may be null). */
  public static final class Refused extends RuntimeException {
    private final String code;
    private final String field;

    Refused(String code, String message, String field) {
      super(message);
      this.code = code;
      this.field = field;
    }

    public String code() {
      return code;
    }

    public String field() {
      return field;
    }
  }

  /**
   * Signs up: the api took it and mailed the email's owner.
   *
   * @throws Refused when the api refuses (4xx)
   * @throws UnavailableException when the api cannot be reached or fails (5xx)
   */
  public void signup(String idempotencyKey, Request request) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("email", request.email());
    body.put("plan", request.plan());
    body.put("botToken", request.botToken());
    body.put("ownerTelegramUserId", request.ownerTelegramUserId());
    body.put("allowedTelegramUserIds", request.allowedTelegramUserIds());
    body.put("useCase", request.useCase());
    body.put("followUp", request.followUp());
    send(idempotencyKey, body);
  }

  private void send(String idempotencyKey, Map<String, Object> body) {
    HttpResponse<String> response;
    try {
      HttpRequest.Builder post =
          HttpRequest.newBuilder(signup)
              .timeout(TIMEOUT)
              .header("Content-Type", "application/json")
              .header("Idempotency-Key", idempotencyKey)
              .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
      if (!internalToken.isEmpty()) {
        post.header("Authorization", "Bearer " + internalToken);
      }
      RequestIds.passOn(post);
      response = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UnavailableException("the sign-up service cannot be reached", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while signing up", e);
    }
    JsonNode answer = parse(response.body());
    int status = response.statusCode();
    if (status >= 400 && status < 500 && status != 429) {
      JsonNode error = answer.path("error");
      throw new Refused(
          error.path("code").asText("refused"),
          error.path("message").asText("the sign-up was refused"),
          error.hasNonNull("field") ? error.path("field").asText() : null);
    }
    if (status != 202) {
      throw new UnavailableException("the sign-up service answered HTTP " + status, null);
    }
  }

  private static JsonNode parse(String body) {
    try {
      return Json.MAPPER.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (IOException e) {
      return Json.MAPPER.createObjectNode();
    }
  }
}
