package cloud.openclaw.onboarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.User;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service as Main wires it: /conversations over HTTP (auth, the error shapes, 202 then the
 * reply in the log), and a conversation that follows its box's progress to live across a restart.
 */
class OnboardingServiceIT {
  static final String TOKEN = "onboarding-internal-token-0123456789";
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static Sandbox sandbox;
  static TestApi api;
  static Redis redis;
  static ConversationLog log;
  static Map<String, String> config;
  static RunningService service;

  @BeforeAll
  static void start() {
    sandbox = TestServices.sandbox();
    api = new TestApi(postgres, testRedis, sandbox, TOKEN);
    redis = TestServices.redis(testRedis);
    log = new ConversationLog(redis, Duration.ofDays(7));
    config = new HashMap<>();
    config.put("onboarding.host", "127.0.0.1");
    config.put("onboarding.port", "0");
    config.put("db.url", postgres.jdbcUrl());
    config.put("db.user", postgres.user());
    config.put(
        "db.password",
        postgres.database().password() == null ? "" : postgres.database().password());
    config.put("db.pool-size", "2");
    config.put("redis.url", testRedis.url());
    config.put("redis.prefix", testRedis.prefix());
    config.put("redis.pool-size", "8");
    config.put("crypto.keys", "k1:" + SecretBox.newKey());
    config.put("crypto.active-key", "k1");
    config.put("telegram.api-root", "http://127.0.0.1:" + sandbox.port() + "/telegram");
    config.put("onboarding.api-url", api.url().toString());
    config.put("onboarding.internal-token", TOKEN);
    config.put("onboarding.messages-per-minute", "12");
    service = startService();
  }

  static RunningService startService() {
    return Main.start(ConfigLoader.load("onboarding-agent", Map.of(), config));
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(service, api, sandbox, redis);
  }

  static HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
            .header("Authorization", "Bearer " + TOKEN)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(String body) throws Exception {
    return Json.MAPPER.readTree(body);
  }

  static List<JsonNode> events(String key, String after) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (ConversationLog.Entry entry : log.read(key, after, 1000, null)) {
      events.add(json(entry.json()));
    }
    return events;
  }

  /** Sends an input and waits for the reply's events (until one of {@code type} arrives). */
  static List<JsonNode> send(String key, String body, String type) throws Exception {
    HttpResponse<String> response = post("/conversations/" + key + "/input", TOKEN, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    String after = json(response.body()).path("after").asText();
    List<List<JsonNode>> reply = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              List<JsonNode> now = events(key, after);
              reply.clear();
              reply.add(now);
              return now.stream().anyMatch(e -> e.path("type").asText().equals(type));
            });
    return reply.getFirst();
  }

  static String text(String text) {
    return Json.write(Map.of("type", "text", "text", text));
  }

  @Test
  void refusesCallersWithoutTheInternalToken() throws Exception {
    String key = Harness.webKey();
    for (String token : new String[] {null, "wrong-token-wrong-token", ""}) {
      HttpResponse<String> response =
          post("/conversations/" + key + "/input", token, "{\"type\":\"start\"}");
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(json(response.body()).path("error").path("code").asText()).isNotBlank();
    }
    HttpResponse<String> show =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + service.port() + "/conversations/" + key))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(show.statusCode()).isEqualTo(401);
  }

  @Test
  void badInputsAre4xxJson() throws Exception {
    String key = Harness.webKey();
    Map<String, Integer> cases = new HashMap<>();
    cases.put("not json", 400);
    cases.put("{\"type\":\"shout\"}", 400);
    cases.put("{\"type\":\"text\"}", 400);
    cases.put("{\"type\":\"text\",\"text\":\"hi\",\"price\":0}", 400);
    cases.put("{\"type\":\"choice\",\"slot\":\"price\",\"value\":\"0\"}", 400);
    cases.put("{\"type\":\"text\",\"text\":\"" + "x".repeat(20_000) + "\"}", 413);
    for (Map.Entry<String, Integer> bad : cases.entrySet()) {
      HttpResponse<String> response = post("/conversations/" + key + "/input", TOKEN, bad.getKey());
      assertThat(response.statusCode()).as(bad.getKey()).isEqualTo(bad.getValue());
      assertThat(json(response.body()).path("error").path("message").asText()).isNotBlank();
    }
    HttpResponse<String> badKey = post("/conversations/web:x/input", TOKEN, "{\"type\":\"start\"}");
    assertThat(badKey.statusCode()).isEqualTo(400);
    assertThat(json(badKey.body()).path("error").path("field").asText()).isEqualTo("key");
    assertThat(get("/conversations/" + Harness.webKey()).statusCode()).isEqualTo(404);
  }

  @Test
  void aConversationPastItsMessageLimitIs429() throws Exception {
    String key = Harness.webKey();
    int accepted = 0;
    HttpResponse<String> response;
    do {
      response = post("/conversations/" + key + "/input", TOKEN, "{\"type\":\"start\"}");
      if (response.statusCode() == 202) {
        accepted++;
      }
    } while (response.statusCode() == 202 && accepted < 50);

    assertThat(accepted).isEqualTo(12);
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(json(response.body()).path("error").path("code").asText())
        .isEqualTo("too_many_requests");
  }

  @Test
  void aTelegramConversationSignsUpByMailAndFollowsItsBoxToLiveAcrossRestarts() throws Exception {
    Bot bot = sandbox.telegram().createBot("live_" + Long.toHexString(System.nanoTime()) + "_bot");
    String key = Harness.telegramKey();
    assertThat(send(key, "{\"type\":\"start\"}", "message")).isNotEmpty();
    send(key, text("Answer questions about my bakery's opening hours"), "managed_bot");
    send(key, Json.write(Map.of("type", "bot_token", "token", bot.token())), "message");
    send(
        key,
        Json.write(Map.of("type", "choice", "slot", "allowed_users", "value", "none")),
        "choices");
    send(key, text("starter"), "message");
    send(key, text("baker@example.com"), "choices");
    List<JsonNode> mailed =
        send(key, "{\"type\":\"choice\",\"slot\":\"confirm\",\"value\":\"yes\"}", "check_email");
    assertThat(mailed.getLast().path("email").asText()).isEqualTo("baker@example.com");

    // The link is opened while the agent is down: it catches up when it is back.
    service.close();
    String checkout = api.openSignupLink("baker@example.com");
    assertThat(checkout)
        .startsWith("http://127.0.0.1:" + sandbox.port() + "/stripe/checkout/cs_test_");
    service = startService();
    Customer customer = api.customer("baker@example.com").orElseThrow();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                customer
                    .id()
                    .toString()
                    .equals(json(get("/conversations/" + key).body()).path("customerId").asText()));
    JsonNode state = json(get("/conversations/" + key).body());
    String boxId = state.path("boxId").asText();
    assertThat(boxId).isEqualTo(api.box(customer).id().toString());
    assertThat(state.path("stage").asText()).isEqualTo("checkout");
    assertThat(state.path("botUsername").asText()).isEqualTo(bot.username());
    assertThat(state.path("questionsAsked").asInt()).isBetween(5, 7);
    assertThat(state.toString())
        .doesNotContain(bot.token().substring(bot.token().indexOf(':') + 1))
        .doesNotContain("Sealed")
        .doesNotContain("Nonce");

    EventBus bus = new EventBus(redis);
    String channel = EventBus.customerChannel(customer.id());
    String after = log.last(key);
    bus.publish(channel, progress(boxId, "accepted"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                events(key, after).stream()
                        .filter(e -> e.path("type").asText().equals("progress"))
                        .count()
                    == 2);
    assertThat(events(key, after))
        .extracting(e -> e.path("stage").asText())
        .containsExactly("paid", "provisioning");

    service.close();
    service = startService();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> bus.publish(channel, progress(boxId, "live")) > 0 && hasLive(key));

    JsonNode live =
        events(key, "0").stream()
            .filter(e -> e.path("type").asText().equals("live"))
            .findFirst()
            .get();
    assertThat(live.path("url").asText()).isEqualTo("https://t.me/" + bot.username());
    assertThat(events(key, after))
        .filteredOn(e -> e.path("type").asText().equals("progress"))
        .extracting(e -> e.path("stage").asText())
        .containsExactly("paid", "provisioning", "starting", "live");
    assertThat(json(get("/conversations/" + key).body()).path("stage").asText()).isEqualTo("live");
  }

  @Test
  void aPastedBotsOwnerIsWhoOpensItsLinkNotWhoWritesFirst() throws Exception {
    Bot bot = sandbox.telegram().createBot("own_" + Long.toHexString(System.nanoTime()) + "_bot");
    String key = Harness.webKey();
    send(key, "{\"type\":\"start\"}", "message");
    send(key, text("Plan my week and remind me of my dentist appointments"), "message");
    List<JsonNode> reply =
        send(key, Json.write(Map.of("type", "bot_token", "token", bot.token())), "owner_link");
    String link =
        reply.stream()
            .filter(e -> e.path("type").asText().equals("owner_link"))
            .findFirst()
            .get()
            .path("url")
            .asText();
    assertThat(link).startsWith("https://t.me/" + bot.username() + "?start=");
    String nonce = link.substring(link.indexOf("?start=") + "?start=".length());

    // Someone else finds the bot first: a message, a bare /start and a guessed nonce prove nothing.
    User stranger = User.of(66_600_001L, "Mallory");
    sandbox.telegram().sendAsUser(bot.id(), stranger, "hello bot");
    sandbox.telegram().openDeepLink(bot.id(), stranger, null);
    sandbox.telegram().openDeepLink(bot.id(), stranger, "0123456789abcdef0123456789abcdef");
    sandbox.telegram().openDeepLink(bot.id(), User.of(31_337L, "Ada"), nonce);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                json(get("/conversations/" + key).body()).path("ownerTelegramUserId").asLong()
                    == 31_337L);
  }

  static boolean hasLive(String key) throws Exception {
    return events(key, "0").stream().anyMatch(e -> e.path("type").asText().equals("live"));
  }

  static String progress(String boxId, String step) {
    return Json.write(
        Map.of(
            "boxId",
            boxId,
            "job",
            "provision",
            "step",
            step,
            "message",
            "step " + step,
            "at",
            "2026-12-03T08:00:00Z"));
  }
}
