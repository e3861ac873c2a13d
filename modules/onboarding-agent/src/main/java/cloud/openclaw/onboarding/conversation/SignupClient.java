package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.http.Json;
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
 * The api's {@code POST /signup}: what the conversation collected becomes a pending customer, their
 * box and a Stripe Checkout. The {@code Idempotency-Key} (conversation key and attempt) makes the
 * api answer a repeated call with the same checkout.
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
      String useCase) {}

  /** The api's answer: the customer, their box and where to pay. */
  public record Checkout(String customerId, String boxId, String botUsername, String url) {}

  /**
   * The api refused the sign-up (4xx), or goes on with it only by mail (202, code {@code
   * check_email}): its error code, message and field (may be null).
   */
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
   * Signs up.
   *
   * @throws Refused when the api refuses (4xx)
   * @throws UnavailableException when the api cannot be reached or fails (5xx)
   */
  public Checkout signup(String idempotencyKey, Request request) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("email", request.email());
    body.put("plan", request.plan());
    body.put("botToken", request.botToken());
    body.put("ownerTelegramUserId", request.ownerTelegramUserId());
    body.put("allowedTelegramUserIds", request.allowedTelegramUserIds());
    body.put("useCase", request.useCase());
    return send(idempotencyKey, body);
  }

  private Checkout send(String idempotencyKey, Map<String, Object> body) {
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
    // The email has paid or waits with another bot: its owner goes on by the link the api mailed.
    if (status == 202) {
      throw new Refused(
          "check_email",
          answer.path("message").asText("a link to continue is on its way to this email"),
          null);
    }
    if (status != 200 && status != 201) {
      throw new UnavailableException("the sign-up service answered HTTP " + status, null);
    }
    return new Checkout(
        answer.path("customerId").asText(),
        answer.path("boxId").asText(),
        answer.path("botUsername").asText(),
        answer.path("checkoutUrl").asText());
  }

  private static JsonNode parse(String body) {
    try {
      return Json.MAPPER.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (IOException e) {
      return Json.MAPPER.createObjectNode();
    }
  }
}
