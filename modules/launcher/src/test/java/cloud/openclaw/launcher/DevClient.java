package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform in dev mode as a person and the outside services see it, for the launcher's
 * end-to-end tests: the sandbox's Telegram, Stripe and mail, the api, and what the test reads from
 * PostgreSQL.
 *
 * @param sandbox the sandbox's URL
 * @param api the api's URL
 * @param db the test's connection to the platform's database
 */
record DevClient(String sandbox, String api, Connection db) {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  // --- the sandbox's Telegram ----------------------------------------------------------------

  /** A new bot on the sandbox's Telegram. */
  JsonNode newBot() throws Exception {
    return post(sandbox + "/telegram/_sandbox/bots", "{}", 201);
  }

  void sendAsUser(long botId, long user, String text) throws Exception {
    post(
        sandbox + "/telegram/_sandbox/bots/" + botId + "/messages",
        Json.write(Map.of("from", Map.of("id", user, "first_name", "user" + user), "text", text)),
        201);
  }

  /** The texts of the bot's messages in the user's chat, oldest first. */
  List<String> botMessages(long botId, long user) throws Exception {
    List<String> texts = new ArrayList<>();
    for (JsonNode entry :
        get(sandbox + "/telegram/_sandbox/bots/" + botId + "/chats/" + user).path("entries")) {
      if (entry.path("kind").asText().equals("message")
          && entry.path("sender").asText().equals("bot")
          && !entry.path("deleted").asBoolean()) {
        texts.add(entry.path("text").asText());
      }
    }
    return texts;
  }

  /** Writes to the bot as {@code user} and waits for the bot's answer carrying {@code text}. */
  String askAndAwaitAnswer(long botId, long user, String text, Duration patience) throws Exception {
    sendAsUser(botId, user, text);
    return await()
        .atMost(patience)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                botMessages(botId, user).stream()
                    .filter(answer -> answer.contains(text))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /** When the bot first polled (getUpdates), if it has. */
  Optional<Instant> firstPoll(long botId) throws Exception {
    JsonNode stats = get(sandbox + "/telegram/_sandbox/bots/" + botId);
    return stats.path("firstPollAt").isTextual()
        ? Optional.of(Instant.parse(stats.path("firstPollAt").asText()))
        : Optional.empty();
  }

  // --- the api --------------------------------------------------------------------------------

  /**
   * Signs up as a person does, on the starter plan: the sign-up (202), the link it mails, its
   * page's button (on to the checkout); what it became: customerId, boxId and the checkoutUrl.
   */
  JsonNode signUp(String email, String botToken, List<Long> allowed) throws Exception {
    int before = mailedLinks(email, "/signup/continue").size();
    post(
        api + "/signup",
        Json.write(
            Map.of(
                "email",
                email,
                "plan",
                "starter",
                "botToken",
                botToken,
                "allowedTelegramUserIds",
                allowed)),
        202);
    String checkout = openSignupLink(email, before);
    String customer = single("SELECT id FROM customers WHERE email = ?", email);
    String box =
        single(
            "SELECT id FROM boxes WHERE customer_id = ? AND destroyed_at IS NULL",
            UUID.fromString(customer));
    return Json.MAPPER.valueToTree(
        Map.of("customerId", customer, "boxId", box, "checkoutUrl", checkout));
  }

  /**
   * Opens the sign-up link mailed to {@code email} after the first {@code before} and presses its
   * page's button, as the email's owner does; the checkout it goes on to.
   */
  String openSignupLink(String email, int before) throws Exception {
    String link = newMailedLink(email, "/signup/continue", before);
    HttpResponse<String> continued =
        send(
            HttpRequest.newBuilder(URI.create(api + "/signup/continue"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "token=" + link.substring(link.indexOf("token=") + "token=".length())))
                .build());
    assertThat(continued.statusCode()).as(continued.body()).isEqualTo(303);
    return continued.headers().firstValue("Location").orElseThrow();
  }

  // --- the sandbox's Stripe and mail ---------------------------------------------------------

  /** GETs the hosted checkout page and submits its pay form, as a browser would; when clicked. */
  Instant payOnHostedCheckout(String checkoutUrl) throws Exception {
    HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(checkoutUrl)).build());
    assertThat(page.statusCode()).isEqualTo(200);
    Matcher form =
        Pattern.compile(
                "<form method=post action=\"([^\"]+)\"><input type=hidden name=card value=ok>")
            .matcher(page.body());
    assertThat(form.find()).as("a pay form in %s", page.body()).isTrue();
    URI action = URI.create(checkoutUrl).resolve(form.group(1));
    Instant clicked = Instant.now();
    HttpResponse<String> paid =
        send(
            HttpRequest.newBuilder(action)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("card=ok"))
                .build());
    assertThat(paid.statusCode()).as(paid.body()).isEqualTo(303);
    return clicked;
  }

  /** When the api took the (one) event of {@code type}: its first 2xx answer to the sandbox. */
  Instant delivered(String type) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              for (JsonNode event : get(sandbox + "/stripe/_sandbox/events").path("events")) {
                if (event.path("type").asText().equals(type)
                    && event.path("deliveredAt").isTextual()) {
                  return Optional.of(Instant.parse(event.path("deliveredAt").asText()));
                }
              }
              return Optional.<Instant>empty();
            },
            Optional::isPresent)
        .orElseThrow();
  }

  /** The subjects of the mail the sandbox caught, oldest first. */
  List<String> mailSubjects() throws Exception {
    List<String> subjects = new ArrayList<>();
    get(sandbox + "/mail/messages")
        .path("messages")
        .forEach(mail -> subjects.add(mail.path("subject").asText()));
    return subjects;
  }

  /**
   * Signs in as a person does in dev mode: asks for a link, finds it in the sandbox's caught mail,
   * trades its token for a session (as API clients do); the access token.
   */
  String signIn(String email) throws Exception {
    int before = signInLinks(email).size();
    post(api + "/auth/login", Json.write(Map.of("email", email)), 202);
    String link = newSignInLink(email, before);
    String token = link.substring(link.indexOf("token=") + "token=".length());
    return post(api + "/auth/session", Json.write(Map.of("token", token)), 200)
        .path("accessToken")
        .asText();
  }

  /** The sign-in links mailed to {@code email} so far, oldest first. */
  List<String> signInLinks(String email) throws Exception {
    return mailedLinks(email, "/auth/callback");
  }

  /** The sign-in link mailed to {@code email} after the first {@code before}, once it arrives. */
  String newSignInLink(String email, int before) {
    return newMailedLink(email, "/auth/callback", before);
  }

  /** The links to the api's {@code path} mailed to {@code email} so far, oldest first. */
  List<String> mailedLinks(String email, String path) throws Exception {
    Pattern link = Pattern.compile(Pattern.quote(api + path) + "\\?token=[A-Za-z0-9_-]+");
    List<String> links = new ArrayList<>();
    for (JsonNode mail : get(sandbox + "/mail/messages").path("messages")) {
      boolean toThem = false;
      for (JsonNode to : mail.path("to")) {
        toThem |= to.asText().equalsIgnoreCase(email);
      }
      Matcher found = link.matcher(mail.path("body").asText());
      if (toThem && found.find()) {
        links.add(found.group());
      }
    }
    return links;
  }

  /** The link to {@code path} mailed to {@code email} after the first {@code before}. */
  String newMailedLink(String email, String path, int before) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> mailedLinks(email, path), links -> links.size() > before)
        .getLast();
  }

  /** The billing portal's page, opened from the api as the dashboard would. */
  HttpResponse<String> portalPage(String session) throws Exception {
    String portal =
        expect(
                HttpRequest.newBuilder(URI.create(api + "/me/billing/portal"))
                    .header("Authorization", "Bearer " + session)
                    .POST(HttpRequest.BodyPublishers.noBody()),
                200)
            .path("url")
            .asText();
    return send(HttpRequest.newBuilder(URI.create(portal)).build());
  }

  // --- PostgreSQL ----------------------------------------------------------------------------

  String customerStatus(UUID customer) throws Exception {
    return single("SELECT status FROM customers WHERE id = ?", customer);
  }

  String observedState(UUID box) throws Exception {
    return single("SELECT observed_state FROM boxes WHERE id = ?", box);
  }

  String single(String sql, Object parameter) throws Exception {
    try (PreparedStatement query = db.prepareStatement(sql)) {
      query.setObject(1, parameter);
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).as(sql).isTrue();
        return row.getString(1);
      }
    }
  }

  // --- HTTP ----------------------------------------------------------------------------------

  static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode get(String url) throws Exception {
    return get(url, null);
  }

  static JsonNode get(String url, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> response = send(request.build());
    assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  static JsonNode post(String url, String json, int status) throws Exception {
    return expect(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        status);
  }

  static JsonNode expect(HttpRequest.Builder request, int status) throws Exception {
    HttpResponse<String> response = send(request.build());
    assertThat(response.statusCode())
        .as("%s: %s", request.build().uri(), response.body())
        .isEqualTo(status);
    return response.body().isBlank()
        ? Json.MAPPER.createObjectNode()
        : Json.MAPPER.readTree(response.body());
  }
}
