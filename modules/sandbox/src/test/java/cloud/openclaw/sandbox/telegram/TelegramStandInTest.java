package cloud.openclaw.sandbox.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.sandbox.Main;
import com.fasterxml.jackson.databind.JsonNode;
import com.pengrad.telegrambot.TelegramBot;
import com.pengrad.telegrambot.TelegramException;
import com.pengrad.telegrambot.UpdatesListener;
import com.pengrad.telegrambot.model.BotCommand;
import com.pengrad.telegrambot.model.MessageEntity;
import com.pengrad.telegrambot.model.request.ChatAction;
import com.pengrad.telegrambot.model.request.ParseMode;
import com.pengrad.telegrambot.request.GetMe;
import com.pengrad.telegrambot.request.GetUpdates;
import com.pengrad.telegrambot.request.SendChatAction;
import com.pengrad.telegrambot.request.SendMessage;
import com.pengrad.telegrambot.request.SetMyCommands;
import com.pengrad.telegrambot.response.BaseResponse;
import com.pengrad.telegrambot.response.GetMeResponse;
import com.pengrad.telegrambot.response.SendResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TelegramStandInTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final AtomicLong PEOPLE = new AtomicLong(1000);

  private static Main.Sandbox sandbox;
  private static TelegramStandIn telegram;

  @BeforeAll
  static void start() {
    sandbox = Main.startSandbox(config(Map.of()));
    telegram = sandbox.telegram();
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private static io.helidon.config.Config config(Map<String, String> more) {
    Map<String, String> overrides = new HashMap<>(more);
    overrides.put("sandbox.port", "0");
    overrides.put("sandbox.host", "127.0.0.1");
    return ConfigLoader.load("sandbox", Map.of(), overrides);
  }

  // --- helpers -------------------------------------------------------------------------------

  private record Reply(int status, JsonNode body) {
    JsonNode result() {
      assertThat(body.path("ok").asBoolean()).as("ok in %s", body).isTrue();
      return body.path("result");
    }
  }

  private static String root(int port) {
    return "http://127.0.0.1:" + port + "/telegram";
  }

  private static String root() {
    return root(sandbox.port());
  }

  private static Reply send(HttpRequest request) throws Exception {
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return reply(response);
  }

  private static Reply reply(HttpResponse<String> response) {
    try {
      return new Reply(response.statusCode(), Json.MAPPER.readTree(response.body()));
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  private static HttpRequest apiRequest(String token, String method, String json) {
    return HttpRequest.newBuilder(URI.create(root() + "/bot" + token + "/" + method))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  /** A Bot API call as grammY makes it: POST with a JSON body. */
  private static Reply api(String token, String method, String json) throws Exception {
    return send(apiRequest(token, method, json));
  }

  private static CompletableFuture<Reply> apiAsync(String token, String method, String json) {
    return HTTP.sendAsync(apiRequest(token, method, json), HttpResponse.BodyHandlers.ofString())
        .thenApply(TelegramStandInTest::reply);
  }

  private static Reply post(String path, String json) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(root() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private static Reply get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(root() + path)).GET().build());
  }

  private static Bot newBot() {
    return telegram.createBot(null);
  }

  private static User newPerson(String name) {
    return new User(PEOPLE.incrementAndGet(), name, name.toLowerCase());
  }

  private static void awaitPolling(Bot bot) {
    await().atMost(10, TimeUnit.SECONDS).until(() -> telegram.stats(bot.id()).polling());
  }

  private static List<Long> updateIds(JsonNode result) {
    List<Long> ids = new ArrayList<>();
    result.forEach(update -> ids.add(update.path("update_id").asLong()));
    return ids;
  }

  private static void assertError(Reply reply, int code, String description) {
    assertThat(reply.status()).isEqualTo(code);
    assertThat(reply.body().path("ok").asBoolean(true)).isFalse();
    assertThat(reply.body().path("error_code").asInt()).isEqualTo(code);
    assertThat(reply.body().path("description").asText()).isEqualTo(description);
  }

  // --- bots and tokens -----------------------------------------------------------------------

  @Test
  void aRevokedTokenIs401EvenToAnOpenLongPollUntilTheRevocationIsTakenBack() throws Exception {
    Bot bot = newBot();
    CompletableFuture<Reply> poll = apiAsync(bot.token(), "getUpdates", "{\"timeout\": 50}");
    awaitPolling(bot);

    Reply revoked = post("/_sandbox/bots/" + bot.id() + "/revoke", "{}");
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.body().path("revoked").asBoolean()).isTrue();
    assertError(poll.get(10, TimeUnit.SECONDS), 401, "Unauthorized");
    assertError(api(bot.token(), "getMe", "{}"), 401, "Unauthorized");

    Reply back = post("/_sandbox/bots/" + bot.id() + "/unrevoke", "{}");
    assertThat(back.body().path("revoked").asBoolean()).isFalse();
    assertThat(api(bot.token(), "getMe", "{}").result().path("id").asLong()).isEqualTo(bot.id());
  }

  @Test
  void aCreatedTokenPassesGetMeAndABadOneIs401() throws Exception {
    Reply created =
        post("/_sandbox/bots", "{\"username\":\"ada_helper_bot\",\"first_name\":\"Ada\"}");
    assertThat(created.status()).isEqualTo(201);
    long id = created.body().path("id").asLong();
    String token = created.body().path("token").asText();
    assertThat(token).matches(id + ":[A-Za-z0-9_-]{35}");
    assertThat(created.body().path("username").asText()).isEqualTo("ada_helper_bot");

    JsonNode me = api(token, "getMe", "{}").result();
    assertThat(me.path("id").asLong()).isEqualTo(id);
    assertThat(me.path("is_bot").asBoolean()).isTrue();
    assertThat(me.path("first_name").asText()).isEqualTo("Ada");
    assertThat(me.path("username").asText()).isEqualTo("ada_helper_bot");
    assertThat(me.path("can_join_groups").isBoolean()).isTrue();
    assertThat(me.path("can_read_all_group_messages").isBoolean()).isTrue();
    assertThat(me.path("supports_inline_queries").isBoolean()).isTrue();

    assertError(api("123:not-a-token", "getMe", "{}"), 401, "Unauthorized");
    assertError(api(id + ":" + "x".repeat(35), "getMe", "{}"), 401, "Unauthorized");
    // method names are case-insensitive, as Telegram's are; GET works too
    assertThat(api(token, "GETME", "{}").result().path("id").asLong()).isEqualTo(id);
    Reply viaGet =
        send(HttpRequest.newBuilder(URI.create(root() + "/bot" + token + "/getMe")).build());
    assertThat(viaGet.result().path("id").asLong()).isEqualTo(id);
  }

  @Test
  void theSandboxApiRefusesWhatItCannotDo() throws Exception {
    Reply taken = post("/_sandbox/bots", "{\"username\":\"taken_name_bot\"}");
    assertThat(taken.status()).isEqualTo(201);
    Reply again = post("/_sandbox/bots", "{\"username\":\"Taken_Name_Bot\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().path("error").path("code").asText()).isEqualTo("username_taken");
    assertThat(post("/_sandbox/bots", "{\"username\":\"no\"}").status()).isEqualTo(400);
    assertThat(post("/_sandbox/bots", "{\"token\":\"nonsense\"}").status()).isEqualTo(400);
    assertThat(get("/_sandbox/bots/42/chats/1").status()).isEqualTo(404);
    assertThat(post("/_sandbox/bots/42/messages", "{\"from\":{\"id\":1},\"text\":\"hi\"}").status())
        .isEqualTo(404);
    long botId = newBot().id();
    assertThat(post("/_sandbox/bots/" + botId + "/messages", "{\"text\":\"hi\"}").status())
        .isEqualTo(400);
    assertThat(
            post("/_sandbox/bots/" + botId + "/messages", "{\"from\":{\"id\":0},\"text\":\"hi\"}")
                .status())
        .isEqualTo(400);
    assertThat(post("/_sandbox/bots/" + botId + "/messages", "{\"from\":{\"id\":5}}").status())
        .isEqualTo(400);
    assertThatThrownBy(() -> telegram.chat(42, 1)).isInstanceOf(NotFoundException.class);

    // a chosen token, as a developer pastes one
    Reply chosen =
        post(
            "/_sandbox/bots",
            "{\"token\":\"5550001:chosen_secret-ABCDEFGHIJ\",\"username\":\"chosen_bot\"}");
    assertThat(chosen.status()).isEqualTo(201);
    assertThat(api("5550001:chosen_secret-ABCDEFGHIJ", "getMe", "{}").result().path("id").asLong())
        .isEqualTo(5550001L);
  }

  @Test
  void presetBotsComeFromConfiguration() throws Exception {
    try (Main.Sandbox preset =
        Main.startSandbox(
            config(
                Map.of(
                    "sandbox.telegram.bots",
                    "123456:preset_secret_ABCDEFGHIJKLMNOP=pasted_token_bot,"
                        + " 654321:other_secret_ABCDEFGHIJKLMNOP")))) {
      HttpResponse<String> me =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          root(preset.port()) + "/bot123456:preset_secret_ABCDEFGHIJKLMNOP/getMe"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode result = reply(me).result();
      assertThat(result.path("id").asLong()).isEqualTo(123456L);
      assertThat(result.path("username").asText()).isEqualTo("pasted_token_bot");
      assertThat(preset.telegram().bots())
          .extracting(BotStats::username)
          .containsExactly("pasted_token_bot", "sandbox_654321_bot");
    }
    assertThat(telegram.bots()).noneMatch(bot -> bot.id() == 123456L);

    assertThatThrownBy(
            () ->
                TelegramSettings.from(
                    new Settings(config(Map.of("sandbox.telegram.bots", "not-a-token")))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sandbox.telegram.bots");
    assertThat(TelegramSettings.from(new Settings(config(Map.of()))))
        .isEqualTo(TelegramSettings.defaults());
    // the environment variable, as a deployment sets it
    TelegramSettings fromEnvironment =
        TelegramSettings.from(
            new Settings(
                ConfigLoader.load(
                    "sandbox",
                    Map.of(
                        "OPENCLAW_SANDBOX_TELEGRAM_BOTS",
                        "11:first_secret=first_env_bot,22:second_secret",
                        "OPENCLAW_SANDBOX_TELEGRAM_CHAT_HISTORY",
                        "50"),
                    Map.of())));
    assertThat(fromEnvironment.bots())
        .containsExactly(
            new TelegramSettings.PresetBot("11:first_secret", "first_env_bot"),
            new TelegramSettings.PresetBot("22:second_secret", null));
    assertThat(fromEnvironment.chatHistory()).isEqualTo(50);
  }

  // --- what OpenClaw does --------------------------------------------------------------------

  @Test
  void openClawsStartupSequenceAndAConversationWork() throws Exception {
    Bot bot = newBot();
    String token = bot.token();
    String commands =
        "[{\"command\":\"new\",\"description\":\"Start a new session\"},"
            + "{\"command\":\"help\",\"description\":\"Show help\"}]";
    assertThat(api(token, "getMe", "{}").result().path("username").asText())
        .isEqualTo(bot.username());
    Reply deleted = api(token, "deleteWebhook", "{}");
    assertThat(deleted.result().asBoolean()).isTrue();
    assertThat(deleted.body().path("description").asText()).isEqualTo("Webhook is already deleted");
    assertThat(api(token, "deleteMyCommands", "{}").result().asBoolean()).isTrue();
    assertThat(
            api(token, "deleteMyCommands", "{\"scope\":{\"type\":\"all_group_chats\"}}")
                .result()
                .asBoolean())
        .isTrue();
    assertThat(api(token, "setMyCommands", "{\"commands\":" + commands + "}").result().asBoolean())
        .isTrue();
    assertThat(
            api(
                    token,
                    "setMyCommands",
                    "{\"commands\":" + commands + ",\"scope\":{\"type\":\"all_group_chats\"}}")
                .result()
                .asBoolean())
        .isTrue();
    assertThat(api(token, "getMyCommands", "{}").result().findValuesAsText("command"))
        .containsExactly("new", "help");
    assertThat(api(token, "getUpdates", "{\"timeout\":0}").result()).isEmpty();

    String allowed = "[\"message\",\"edited_message\",\"callback_query\",\"message_reaction\"]";
    CompletableFuture<Reply> poll =
        apiAsync(
            token,
            "getUpdates",
            "{\"timeout\":30,\"limit\":100,\"allowed_updates\":" + allowed + "}");
    awaitPolling(bot);
    User ada = new User(4242, "Ada", "ada");
    long sentAt = System.nanoTime();
    Update update = telegram.sendAsUser(bot.id(), ada, "hello bot");
    JsonNode updates = poll.get(10, TimeUnit.SECONDS).result();
    assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).isLessThan(Duration.ofSeconds(5));
    assertThat(updates).hasSize(1);
    JsonNode message = updates.get(0).path("message");
    assertThat(updates.get(0).path("update_id").asLong()).isEqualTo(update.updateId());
    assertThat(message.path("message_id").asLong()).isEqualTo(update.messageId());
    assertThat(message.path("text").asText()).isEqualTo("hello bot");
    assertThat(message.path("from").path("id").asLong()).isEqualTo(4242);
    assertThat(message.path("from").path("is_bot").asBoolean()).isFalse();
    assertThat(message.path("from").path("first_name").asText()).isEqualTo("Ada");
    assertThat(message.path("chat").path("id").asLong()).isEqualTo(4242);
    assertThat(message.path("chat").path("type").asText()).isEqualTo("private");

    // the next long poll confirms it; the bot answers as OpenClaw does
    CompletableFuture<Reply> next =
        apiAsync(
            token,
            "getUpdates",
            "{\"timeout\":30,\"limit\":100,\"offset\":"
                + (update.updateId() + 1)
                + ",\"allowed_updates\":"
                + allowed
                + "}");
    awaitPolling(bot);
    assertThat(
            api(token, "sendChatAction", "{\"chat_id\":4242,\"action\":\"typing\"}")
                .result()
                .asBoolean())
        .isTrue();
    JsonNode sent =
        api(
                token,
                "sendMessage",
                "{\"chat_id\":4242,\"text\":\"<b>Hi</b> Ada &amp; co\",\"parse_mode\":\"HTML\"}")
            .result();
    assertThat(sent.path("text").asText()).isEqualTo("Hi Ada & co");
    assertThat(sent.path("entities").get(0).path("type").asText()).isEqualTo("bold");
    assertThat(sent.path("from").path("id").asLong()).isEqualTo(bot.id());
    assertThat(sent.path("from").path("is_bot").asBoolean()).isTrue();
    assertThat(sent.path("chat").path("id").asLong()).isEqualTo(4242);
    assertThat(sent.path("message_id").asLong()).isGreaterThan(update.messageId());

    Reply transcript = get("/_sandbox/bots/" + bot.id() + "/chats/4242");
    assertThat(transcript.status()).isEqualTo(200);
    JsonNode entries = transcript.body().path("entries");
    assertThat(entries).hasSize(3);
    assertThat(entries.get(0).path("sender").asText()).isEqualTo("user");
    assertThat(entries.get(0).path("text").asText()).isEqualTo("hello bot");
    assertThat(entries.get(1).path("kind").asText()).isEqualTo("chat_action");
    assertThat(entries.get(1).path("action").asText()).isEqualTo("typing");
    assertThat(entries.get(2).path("sender").asText()).isEqualTo("bot");
    assertThat(entries.get(2).path("text").asText()).isEqualTo("Hi Ada & co");
    assertThat(entries.get(2).path("rawText").asText()).isEqualTo("<b>Hi</b> Ada &amp; co");
    assertThat(entries.get(2).path("parseMode").asText()).isEqualTo("HTML");

    BotStats stats = telegram.stats(bot.id());
    assertThat(stats.calls())
        .containsEntry("getMe", 1L)
        .containsEntry("deleteWebhook", 1L)
        .containsEntry("deleteMyCommands", 2L)
        .containsEntry("setMyCommands", 2L)
        .containsEntry("getUpdates", 3L)
        .containsEntry("sendChatAction", 1L)
        .containsEntry("sendMessage", 1L);
    assertThat(stats.commands()).containsExactly("new", "help");
    assertThat(stats.updates()).isEqualTo(1);
    assertThat(stats.sent()).isEqualTo(1);
    assertThat(stats.pending()).isZero();
    assertThat(stats.polling()).isTrue();
    Reply listed = get("/_sandbox/bots");
    JsonNode mine = null;
    for (JsonNode b : listed.body().path("bots")) {
      if (b.path("id").asLong() == bot.id()) {
        mine = b;
      }
    }
    assertThat(mine).isNotNull();
    assertThat(mine.path("polls").asLong()).isEqualTo(3);
    assertThat(mine.path("sent").asLong()).isEqualTo(1);
    assertThat(mine.path("updates").asLong()).isEqualTo(1);

    telegram.sendAsUser(bot.id(), ada, "second");
    assertThat(next.get(10, TimeUnit.SECONDS).result().get(0).path("message").path("text").asText())
        .isEqualTo("second");
  }

  // --- getUpdates ----------------------------------------------------------------------------

  @Test
  void aLongPollAnswersAsSoonAsSomeoneWrites() throws Exception {
    Bot bot = newBot();
    long started = System.nanoTime();
    CompletableFuture<Reply> poll = apiAsync(bot.token(), "getUpdates", "{\"timeout\":30}");
    awaitPolling(bot);
    Reply posted =
        post(
            "/_sandbox/bots/" + bot.id() + "/messages",
            "{\"from\":{\"id\":77,\"first_name\":\"Grace\",\"username\":\"grace\"},\"text\":\"ping\"}");
    assertThat(posted.status()).isEqualTo(201);
    assertThat(posted.body().path("message").path("text").asText()).isEqualTo("ping");
    JsonNode updates = poll.get(10, TimeUnit.SECONDS).result();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(updates).hasSize(1);
    assertThat(updates.get(0)).isEqualTo(posted.body());
    assertThat(updates.get(0).path("message").path("from").path("username").asText())
        .isEqualTo("grace");
  }

  @Test
  void aLongPollWithNothingToSayAnswersAnEmptyListAfterItsTimeout() throws Exception {
    Bot bot = newBot();
    long started = System.nanoTime();
    JsonNode updates = api(bot.token(), "getUpdates", "{\"timeout\":1}").result();
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(updates.isArray()).isTrue();
    assertThat(updates).isEmpty();
    assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
  }

  @Test
  void offsetsConfirmUpdatesWhichAreThenDropped() throws Exception {
    Bot bot = newBot();
    User person = newPerson("Linus");
    long first = telegram.sendAsUser(bot.id(), person, "one").updateId();
    long second = telegram.sendAsUser(bot.id(), person, "two").updateId();
    long third = telegram.sendAsUser(bot.id(), person, "three").updateId();
    String token = bot.token();

    assertThat(updateIds(api(token, "getUpdates", "{}").result()))
        .containsExactly(first, second, third);
    // not confirmed: delivered again
    assertThat(updateIds(api(token, "getUpdates", "{\"limit\":2}").result()))
        .containsExactly(first, second);
    assertThat(updateIds(api(token, "getUpdates", "{\"offset\":" + second + "}").result()))
        .containsExactly(second, third);
    // confirmed ones are gone even with an older offset
    assertThat(updateIds(api(token, "getUpdates", "{\"offset\":" + first + "}").result()))
        .containsExactly(second, third);
    assertThat(api(token, "getUpdates", "{\"offset\":" + (third + 1) + "}").result()).isEmpty();
    assertThat(telegram.stats(bot.id()).pending()).isZero();

    // a negative offset keeps only the last -offset updates
    long fourth = telegram.sendAsUser(bot.id(), person, "four").updateId();
    long fifth = telegram.sendAsUser(bot.id(), person, "five").updateId();
    assertThat(fourth).isGreaterThan(third);
    assertThat(updateIds(api(token, "getUpdates", "{\"offset\":-1}").result()))
        .containsExactly(fifth);
    assertThat(updateIds(api(token, "getUpdates", "{}").result())).containsExactly(fifth);
  }

  @Test
  void updateIdsStrictlyIncreaseAcrossPolls() throws Exception {
    Bot bot = newBot();
    User person = newPerson("Barbara");
    long offset = 0;
    long last = 0;
    for (int round = 0; round < 5; round++) {
      CompletableFuture<Reply> poll =
          apiAsync(bot.token(), "getUpdates", "{\"timeout\":30,\"offset\":" + offset + "}");
      awaitPolling(bot);
      telegram.sendAsUser(bot.id(), person, "round " + round);
      telegram.sendAsUser(bot.id(), person, "again " + round);
      // the poll answers with the first message, or with both
      List<Long> ids = updateIds(poll.get(10, TimeUnit.SECONDS).result());
      assertThat(ids).isNotEmpty();
      for (long id : ids) {
        assertThat(id).isGreaterThan(last);
        last = id;
      }
      // take the rest of this round, so the next long poll has to wait
      List<Long> rest =
          updateIds(api(bot.token(), "getUpdates", "{\"offset\":" + (last + 1) + "}").result());
      for (long id : rest) {
        assertThat(id).isGreaterThan(last);
        last = id;
      }
      offset = last + 1;
    }
    assertThat(telegram.stats(bot.id()).updates()).isEqualTo(10);
  }

  @Test
  void aNewerPollerTerminatesTheOpenOneWith409() throws Exception {
    Bot bot = newBot();
    CompletableFuture<Reply> first = apiAsync(bot.token(), "getUpdates", "{\"timeout\":30}");
    awaitPolling(bot);
    long started = System.nanoTime();
    CompletableFuture<Reply> second = apiAsync(bot.token(), "getUpdates", "{\"timeout\":1}");
    assertError(first.get(10, TimeUnit.SECONDS), 409, BotState.TERMINATED);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(second.get(10, TimeUnit.SECONDS).result()).isEmpty();

    // while it is open, a message goes to the newer poller
    CompletableFuture<Reply> third = apiAsync(bot.token(), "getUpdates", "{\"timeout\":30}");
    awaitPolling(bot);
    telegram.sendAsUser(bot.id(), newPerson("Edsger"), "to whoever polls");
    assertThat(third.get(10, TimeUnit.SECONDS).result()).hasSize(1);
  }

  @Test
  void aWebhookExcludesGetUpdates() throws Exception {
    Bot bot = newBot();
    String token = bot.token();
    CompletableFuture<Reply> open = apiAsync(token, "getUpdates", "{\"timeout\":30}");
    awaitPolling(bot);
    assertError(
        api(token, "setWebhook", "{\"url\":\"http://example.invalid/hook\"}"),
        400,
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
    Reply set = api(token, "setWebhook", "{\"url\":\"https://example.invalid/hook\"}");
    assertThat(set.result().asBoolean()).isTrue();
    assertThat(set.body().path("description").asText()).isEqualTo("Webhook was set");
    assertError(open.get(10, TimeUnit.SECONDS), 409, BotState.TERMINATED_BY_WEBHOOK);
    assertError(api(token, "getUpdates", "{\"timeout\":0}"), 409, BotState.WEBHOOK_ACTIVE);
    JsonNode info = api(token, "getWebhookInfo", "{}").result();
    assertThat(info.path("url").asText()).isEqualTo("https://example.invalid/hook");
    assertThat(info.path("pending_update_count").asInt()).isZero();
    assertThat(telegram.stats(bot.id()).webhookUrl()).isEqualTo("https://example.invalid/hook");

    telegram.sendAsUser(bot.id(), newPerson("Alan"), "while hooked");
    assertThat(api(token, "getWebhookInfo", "{}").result().path("pending_update_count").asInt())
        .isEqualTo(1);
    assertThat(api(token, "deleteWebhook", "{}").body().path("description").asText())
        .isEqualTo("Webhook was deleted");
    assertThat(api(token, "getUpdates", "{}").result()).hasSize(1);
    assertThat(api(token, "getWebhookInfo", "{}").result().path("url").asText()).isEmpty();
    // drop_pending_updates forgets what waits
    assertThat(api(token, "deleteWebhook", "{\"drop_pending_updates\":true}").result().asBoolean())
        .isTrue();
    assertThat(api(token, "getUpdates", "{}").result()).isEmpty();
  }

  // --- how parameters come -------------------------------------------------------------------

  @Test
  void formEncodedMultipartAndQueryStringParametersWork() throws Exception {
    Bot bot = newBot();
    User person = newPerson("Margaret");
    long updateId = telegram.sendAsUser(bot.id(), person, "hi").updateId();
    String base = root() + "/bot" + bot.token();

    Reply viaQuery =
        send(
            HttpRequest.newBuilder(
                    URI.create(base + "/getUpdates?offset=" + updateId + "&timeout=0"))
                .build());
    assertThat(updateIds(viaQuery.result())).containsExactly(updateId);
    Reply confirmViaQuery =
        send(
            HttpRequest.newBuilder(URI.create(base + "/getUpdates?offset=" + (updateId + 1)))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(confirmViaQuery.result()).isEmpty();

    String form =
        "chat_id="
            + person.id()
            + "&text="
            + URLEncoder.encode("form & friends: é", StandardCharsets.UTF_8)
            + "&reply_parameters="
            + URLEncoder.encode("{\"message_id\":1}", StandardCharsets.UTF_8);
    Reply viaForm =
        send(
            HttpRequest.newBuilder(URI.create(base + "/sendMessage"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    assertThat(viaForm.result().path("text").asText()).isEqualTo("form & friends: é");

    String boundary = "----sandbox-boundary";
    String multipart =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n"
            + person.id()
            + "\r\n--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nmultipart ü\r\n--"
            + boundary
            + "--\r\n";
    Reply viaMultipart =
        send(
            HttpRequest.newBuilder(URI.create(base + "/sendMessage"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart, StandardCharsets.UTF_8))
                .build());
    assertThat(viaMultipart.result().path("text").asText()).isEqualTo("multipart ü");

    Reply viaGetQuery =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        base
                            + "/sendMessage?chat_id="
                            + person.id()
                            + "&text="
                            + URLEncoder.encode("from a query", StandardCharsets.UTF_8)))
                .build());
    assertThat(viaGetQuery.result().path("text").asText()).isEqualTo("from a query");

    assertThat(telegram.botMessages(bot.id(), person.id()))
        .extracting(ChatEntry::text)
        .containsExactly("form & friends: é", "multipart ü", "from a query");
  }

  @Test
  void anUnknownMethodOrPathIs404InTelegramsShape() throws Exception {
    Bot bot = newBot();
    assertError(api(bot.token(), "sendSticker", "{}"), 404, "Not Found");
    assertError(get("/nobot/getMe"), 404, "Not Found");
    assertError(get("/bot" + bot.token()), 404, "Not Found");
    assertThat(telegram.stats(bot.id()).calls()).containsEntry("sendSticker", 1L);
  }

  @Test
  void badParametersAre400InTelegramsShape() throws Exception {
    Bot bot = newBot();
    String token = bot.token();
    User person = newPerson("Frances");
    telegram.sendAsUser(bot.id(), person, "hi");
    long chat = person.id();
    assertError(
        api(token, "sendMessage", "{\"text\":\"hi\"}"), 400, "Bad Request: chat_id is empty");
    assertError(
        api(token, "sendMessage", "{\"chat_id\":\"@nobody\",\"text\":\"hi\"}"),
        400,
        "Bad Request: chat not found");
    assertError(
        api(token, "sendMessage", "{\"chat_id\":" + chat + ",\"text\":\"\"}"),
        400,
        "Bad Request: message text is empty");
    assertError(
        api(
            token,
            "sendMessage",
            "{\"chat_id\":" + chat + ",\"text\":\"" + "x".repeat(4097) + "\"}"),
        400,
        "Bad Request: message is too long");
    Reply badHtml =
        api(
            token,
            "sendMessage",
            "{\"chat_id\":" + chat + ",\"text\":\"<b>open\",\"parse_mode\":\"HTML\"}");
    assertThat(badHtml.status()).isEqualTo(400);
    assertThat(badHtml.body().path("description").asText())
        .startsWith("Bad Request: can't parse entities: ");
    assertThat(
            api(
                    token,
                    "sendMessage",
                    "{\"chat_id\":" + chat + ",\"text\":\"<br>\",\"parse_mode\":\"HTML\"}")
                .status())
        .isEqualTo(400);
    assertError(
        api(token, "sendChatAction", "{\"chat_id\":" + chat + ",\"action\":\"dancing\"}"),
        400,
        "Bad Request: wrong parameter action in request");
    assertError(
        api(
            token,
            "setMyCommands",
            "{\"commands\":[{\"command\":\"Bad-Name\",\"description\":\"x\"}]}"),
        400,
        "Bad Request: BOT_COMMAND_INVALID");
    assertError(api(token, "getUpdates", "not json"), 400, "Bad Request: can't parse JSON object");
    // unknown parameters are ignored
    assertThat(
            api(
                    token,
                    "sendMessage",
                    "{\"chat_id\":"
                        + chat
                        + ",\"text\":\"ok\",\"link_preview_options\":{\"is_disabled\":true},"
                        + "\"some_future_flag\":true}")
                .result()
                .path("text")
                .asText())
        .isEqualTo("ok");
  }

  @Test
  void editAndDeleteChangeTheTranscript() throws Exception {
    Bot bot = newBot();
    String token = bot.token();
    User person = newPerson("Donald");
    Update question = telegram.sendAsUser(bot.id(), person, "/start@" + bot.username() + " now");
    JsonNode queued = api(token, "getUpdates", "{}").result().get(0).path("message");
    assertThat(queued.path("entities").get(0).path("type").asText()).isEqualTo("bot_command");
    assertThat(queued.path("entities").get(0).path("length").asInt())
        .isEqualTo(("/start@" + bot.username()).length());

    JsonNode answer =
        api(
                token,
                "sendMessage",
                "{\"chat_id\":"
                    + person.id()
                    + ",\"text\":\"thinking\",\"reply_parameters\":{\"message_id\":"
                    + question.messageId()
                    + "}}")
            .result();
    long messageId = answer.path("message_id").asLong();
    assertThat(answer.path("reply_to_message").path("message_id").asLong())
        .isEqualTo(question.messageId());

    String edit =
        "{\"chat_id\":"
            + person.id()
            + ",\"message_id\":"
            + messageId
            + ",\"text\":\"<i>done</i>\",\"parse_mode\":\"HTML\"}";
    JsonNode edited = api(token, "editMessageText", edit).result();
    assertThat(edited.path("text").asText()).isEqualTo("done");
    assertThat(edited.path("edit_date").asLong()).isPositive();
    assertError(api(token, "editMessageText", edit), 400, "Bad Request: " + BotState.NOT_MODIFIED);
    assertError(
        api(
            token,
            "editMessageText",
            "{\"chat_id\":"
                + person.id()
                + ",\"message_id\":"
                + question.messageId()
                + ",\"text\":\"x\"}"),
        400,
        "Bad Request: message can't be edited");
    assertError(
        api(
            token,
            "editMessageText",
            "{\"chat_id\":" + person.id() + ",\"message_id\":1,\"text\":\"x\"}"),
        400,
        "Bad Request: message to edit not found");
    ChatEntry reply = telegram.botMessages(bot.id(), person.id()).get(0);
    assertThat(reply.text()).isEqualTo("done");
    assertThat(reply.rawText()).isEqualTo("<i>done</i>");
    assertThat(reply.editDate()).isNotNull();
    assertThat(reply.replyToMessageId()).isEqualTo(question.messageId());

    assertThat(
            api(
                    token,
                    "deleteMessage",
                    "{\"chat_id\":" + person.id() + ",\"message_id\":" + messageId + "}")
                .result()
                .asBoolean())
        .isTrue();
    assertError(
        api(
            token,
            "deleteMessage",
            "{\"chat_id\":" + person.id() + ",\"message_id\":" + messageId + "}"),
        400,
        "Bad Request: message to delete not found");
    assertError(
        api(token, "answerCallbackQuery", "{\"callback_query_id\":\"1\"}"),
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid");
    // OpenClaw acknowledges a message with a reaction, and asks about chats
    assertThat(
            api(
                    token,
                    "setMessageReaction",
                    "{\"chat_id\":"
                        + person.id()
                        + ",\"message_id\":"
                        + question.messageId()
                        + ",\"reaction\":[{\"type\":\"emoji\",\"emoji\":\"👀\"}]}")
                .result()
                .asBoolean())
        .isTrue();
    JsonNode chatInfo = api(token, "getChat", "{\"chat_id\":" + person.id() + "}").result();
    assertThat(chatInfo.path("type").asText()).isEqualTo("private");
    assertThat(chatInfo.path("first_name").asText()).isEqualTo("Donald");
    assertError(api(token, "getChat", "{\"chat_id\":1}"), 400, "Bad Request: chat not found");

    List<ChatEntry> chat = telegram.chat(bot.id(), person.id());
    assertThat(chat).hasSize(1); // the deleted reply is gone
    assertThat(chat.get(0).reactions()).containsExactly("👀");
    assertThat(telegram.botMessages(bot.id(), person.id())).isEmpty();
  }

  @Test
  void twoBotsAreIndependent() throws Exception {
    Bot a = newBot();
    Bot b = newBot();
    User person = newPerson("Niklaus");
    CompletableFuture<Reply> pollA = apiAsync(a.token(), "getUpdates", "{\"timeout\":30}");
    awaitPolling(a);
    // b's long poll does not terminate a's
    CompletableFuture<Reply> pollB = apiAsync(b.token(), "getUpdates", "{\"timeout\":30}");
    awaitPolling(b);
    telegram.sendAsUser(b.id(), person, "for b");
    assertThat(
            pollB.get(10, TimeUnit.SECONDS).result().get(0).path("message").path("text").asText())
        .isEqualTo("for b");
    assertThat(pollA).isNotDone();
    telegram.sendAsUser(a.id(), person, "for a");
    assertThat(
            pollA.get(10, TimeUnit.SECONDS).result().get(0).path("message").path("text").asText())
        .isEqualTo("for a");

    api(a.token(), "sendMessage", "{\"chat_id\":" + person.id() + ",\"text\":\"from a\"}").result();
    assertThat(telegram.chat(a.id(), person.id()))
        .extracting(ChatEntry::text)
        .containsExactly("for a", "from a");
    assertThat(telegram.chat(b.id(), person.id()))
        .extracting(ChatEntry::text)
        .containsExactly("for b");
    assertThat(telegram.stats(a.id()).sent()).isEqualTo(1);
    assertThat(telegram.stats(b.id()).sent()).isZero();
    assertThat(telegram.chats(b.id())).containsExactly(person.id());
    Reply chatsOfB = get("/_sandbox/bots/" + b.id() + "/chats");
    assertThat(chatsOfB.body().path("chats").get(0).asLong()).isEqualTo(person.id());
  }

  @Test
  void stoppingTheSandboxReleasesAnOpenLongPoll() throws Exception {
    Main.Sandbox own = Main.startSandbox(config(Map.of()));
    Bot bot = own.telegram().createBot("stopping_test_bot");
    CompletableFuture<HttpResponse<String>> poll =
        HTTP.sendAsync(
            HttpRequest.newBuilder(
                    URI.create(root(own.port()) + "/bot" + bot.token() + "/getUpdates?timeout=50"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(10, TimeUnit.SECONDS).until(() -> own.telegram().stats(bot.id()).polling());
    long started = System.nanoTime();
    own.close();
    try {
      poll.get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      // the connection may be closed instead of answered: either way it is not held
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void theChatHistoryIsBounded() {
    TelegramStandIn small = new TelegramStandIn(new TelegramSettings(List.of(), 3, 2));
    Bot bot = small.createBot("bounded_bot");
    User person = User.of(9, "Kristen");
    for (int i = 1; i <= 5; i++) {
      small.sendAsUser(bot.id(), person, "m" + i);
    }
    assertThat(small.chat(bot.id(), 9))
        .extracting(ChatEntry::text)
        .containsExactly("m3", "m4", "m5");
    assertThat(small.chat(bot.id(), 9)).extracting(ChatEntry::seq).containsExactly(3L, 4L, 5L);
    assertThat(small.stats(bot.id()).pending()).isEqualTo(2);
    assertThat(small.stats(bot.id()).updates()).isEqualTo(5);
  }

  @Test
  void htmlBecomesEntitiesAsTelegramCountsThem() {
    TelegramHtml.Parsed parsed =
        TelegramHtml.parse(
            "😀 <b>bold <i>both</i></b> <a href=\"https://x.test/?a=1&amp;b=2\">link</a> "
                + "<pre><code class=\"language-java\">int x;</code></pre> 1 &lt; 2");
    assertThat(parsed.text()).isEqualTo("😀 bold both link int x; 1 < 2");
    JsonNode entities = parsed.entities();
    assertThat(entities).hasSize(4);
    assertThat(entities.get(0).path("type").asText()).isEqualTo("bold");
    assertThat(entities.get(0).path("offset").asInt()).isEqualTo(3); // the emoji is 2 UTF-16 units
    assertThat(entities.get(0).path("length").asInt()).isEqualTo(9);
    assertThat(entities.get(1).path("type").asText()).isEqualTo("italic");
    assertThat(entities.get(1).path("offset").asInt()).isEqualTo(8);
    assertThat(entities.get(2).path("url").asText()).isEqualTo("https://x.test/?a=1&b=2");
    assertThat(entities.get(3).path("type").asText()).isEqualTo("pre");
    assertThat(entities.get(3).path("language").asText()).isEqualTo("java");
    assertThatThrownBy(() -> TelegramHtml.parse("<b><i>x</b></i>"))
        .isInstanceOf(BotApiException.class)
        .hasMessageContaining("Unmatched end tag");
  }

  // --- a real client -------------------------------------------------------------------------

  /** pengrad's java-telegram-bot-api (OkHttp, form-encoded) as an echo bot, by API URL alone. */
  @Test
  void aRealTelegramClientLibraryWorksAgainstIt() {
    Bot created = telegram.createBot("pengrad_echo_bot", "Echo");
    TelegramBot client = new TelegramBot.Builder(created.token()).apiUrl(root() + "/bot").build();
    List<TelegramException> failures = Collections.synchronizedList(new ArrayList<>());
    try {
      GetMeResponse me = client.execute(new GetMe());
      assertThat(me.isOk()).isTrue();
      assertThat(me.user().id()).isEqualTo(created.id());
      assertThat(me.user().isBot()).isTrue();
      assertThat(me.user().username()).isEqualTo("pengrad_echo_bot");
      BaseResponse commands =
          client.execute(new SetMyCommands(new BotCommand("echo", "Echo what you say")));
      assertThat(commands.isOk()).isTrue();

      client.setUpdatesListener(
          updates -> {
            for (com.pengrad.telegrambot.model.Update update : updates) {
              long chatId = update.message().chat().id();
              client.execute(new SendChatAction(chatId, ChatAction.typing));
              SendResponse sent =
                  client.execute(
                      new SendMessage(chatId, "<b>echo:</b> " + update.message().text())
                          .parseMode(ParseMode.HTML));
              assertThat(sent.isOk()).as("sendMessage: %s", sent).isTrue();
              assertThat(sent.message().entities()[0].type()).isEqualTo(MessageEntity.Type.bold);
            }
            return UpdatesListener.CONFIRMED_UPDATES_ALL;
          },
          failures::add,
          new GetUpdates().timeout(5));

      User person = newPerson("Ken");
      telegram.sendAsUser(created.id(), person, "hello pengrad");
      telegram.sendAsUser(created.id(), person, "and again");
      await()
          .atMost(20, TimeUnit.SECONDS)
          .untilAsserted(
              () ->
                  assertThat(telegram.botMessages(created.id(), person.id()))
                      .extracting(ChatEntry::text)
                      .containsExactly("echo: hello pengrad", "echo: and again"));
      assertThat(telegram.chat(created.id(), person.id()))
          .extracting(ChatEntry::kind)
          .contains(ChatEntry.Kind.CHAT_ACTION);
      await().atMost(20, TimeUnit.SECONDS).until(() -> telegram.stats(created.id()).pending() == 0);

      assertThat(failures).as("polling failures").isEmpty();

      TelegramBot wrong = new TelegramBot.Builder("1:wrong").apiUrl(root() + "/bot").build();
      GetMeResponse refused = wrong.execute(new GetMe());
      assertThat(refused.isOk()).isFalse();
      assertThat(refused.errorCode()).isEqualTo(401);
      wrong.shutdown();
    } finally {
      client.removeGetUpdatesListener();
      client.shutdown();
    }
  }

  @Test
  void theChatPageIsServedAndStatsTellWhenABotFirstPolled() throws Exception {
    for (String path : List.of("/", "/chat")) {
      HttpResponse<String> page =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(root() + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
      // the page drives the sandbox API: bots, a user's chat, sending as the user
      assertThat(page.body()).contains("/_sandbox/bots").contains("/chats/").contains("/messages");
    }

    Bot bot = newBot();
    assertThat(telegram.stats(bot.id()).firstPollAt()).isNull();
    assertThat(get("/_sandbox/bots/" + bot.id()).body().path("firstPollAt").isNull()).isTrue();
    java.time.Instant before = java.time.Instant.now();
    api(bot.token(), "getUpdates", "{\"timeout\":0}").result();
    java.time.Instant first = telegram.stats(bot.id()).firstPollAt();
    assertThat(first).isBetween(before, java.time.Instant.now());
    api(bot.token(), "getUpdates", "{\"timeout\":0}").result();
    assertThat(telegram.stats(bot.id()).firstPollAt()).as("only the first counts").isEqualTo(first);
    assertThat(
            java.time.Instant.parse(
                get("/_sandbox/bots/" + bot.id()).body().path("firstPollAt").asText()))
        .isEqualTo(first);
  }

  @Test
  void sandboxIndexListsTelegram() throws Exception {
    HttpResponse<String> index =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sandbox.port() + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(Json.MAPPER.readTree(index.body()).path("standIns").toString()).contains("telegram");
    RunningService service = sandbox.service();
    assertThat(service.isRunning()).isTrue();
  }
}
