package cloud.openclaw.sandbox.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.sandbox.Main;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stand-in's buttons: reply keyboards (text buttons, request_managed_bot), inline keyboards
 * (callback queries, URL buttons), managed bots and their tokens, deep links, and deleteMessage,
 * through the Bot API as a bot calls it and the sandbox API as the chat page calls it.
 */
class TelegramButtonsTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final AtomicLong PEOPLE = new AtomicLong(4000);

  private static Main.Sandbox sandbox;
  private static TelegramStandIn telegram;

  @BeforeAll
  static void start() {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("sandbox.port", "0");
    overrides.put("sandbox.host", "127.0.0.1");
    sandbox = Main.startSandbox(ConfigLoader.load("sandbox", Map.of(), overrides));
    telegram = sandbox.telegram();
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private record Reply(int status, JsonNode body) {
    JsonNode result() {
      assertThat(body.path("ok").asBoolean()).as("ok in %s", body).isTrue();
      return body.path("result");
    }
  }

  private static Reply send(HttpRequest request) throws Exception {
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), Json.MAPPER.readTree(response.body()));
  }

  private static HttpRequest apiRequest(String token, String method, String json) {
    return HttpRequest.newBuilder(
            URI.create(
                "http://127.0.0.1:" + sandbox.port() + "/telegram/bot" + token + "/" + method))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private static Reply api(String token, String method, String json) throws Exception {
    return send(apiRequest(token, method, json));
  }

  private static Reply post(String path, String json) throws Exception {
    return send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sandbox.port() + "/telegram" + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private static User newPerson(String name) {
    return new User(PEOPLE.incrementAndGet(), name, name.toLowerCase());
  }

  private static String from(User person) {
    return "{\"id\":" + person.id() + ",\"first_name\":\"" + person.firstName() + "\"}";
  }

  private static JsonNode send(Bot bot, long chatId, String text, String markup) throws Exception {
    return api(
            bot.token(),
            "sendMessage",
            "{\"chat_id\":"
                + chatId
                + ",\"text\":\""
                + text
                + "\",\"reply_markup\":"
                + markup
                + "}")
        .result();
  }

  private static JsonNode updates(Bot bot) throws Exception {
    return api(bot.token(), "getUpdates", "{\"timeout\":0}").result();
  }

  /** Reads and confirms every pending update of the bot. */
  private static JsonNode drain(Bot bot) throws Exception {
    JsonNode batch = updates(bot);
    if (!batch.isEmpty()) {
      long last = batch.get(batch.size() - 1).path("update_id").asLong();
      api(bot.token(), "getUpdates", "{\"timeout\":0,\"offset\":" + (last + 1) + "}");
    }
    return batch;
  }

  private static void assertError(Reply reply, int code, String description) {
    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(code);
    assertThat(reply.body().path("ok").asBoolean(true)).isFalse();
    assertThat(reply.body().path("description").asText()).isEqualTo(description);
  }

  private static void assertBadMarkup(Bot bot, long chatId, String markup, String description)
      throws Exception {
    assertError(
        api(
            bot.token(),
            "sendMessage",
            "{\"chat_id\":" + chatId + ",\"text\":\"x\",\"reply_markup\":" + markup + "}"),
        400,
        "Bad Request: " + description);
  }

  // --- reply keyboards -----------------------------------------------------------------------

  @Test
  void aReplyKeyboardStaysShownUntilRemovedAndItsTextButtonSendsTheText() throws Exception {
    Bot bot = telegram.createBot(null);
    User person = newPerson("Grace");
    String keyboard = "{\"keyboard\":[[\"Starter\",{\"text\":\"Pro\"}]],\"resize_keyboard\":true}";
    JsonNode sent = send(bot, person.id(), "Which plan?", keyboard);
    assertThat(sent.has("reply_markup")).as("Telegram echoes only inline keyboards").isFalse();
    assertThat(telegram.chat(bot.id(), person.id()).get(0).replyMarkup())
        .isEqualTo(Json.MAPPER.readTree(keyboard));
    send(bot, person.id(), "Still deciding?", "null");
    assertThat(telegram.replyKeyboard(bot.id(), person.id()))
        .as("a message without markup leaves the keyboard")
        .contains(Json.MAPPER.readTree(keyboard));

    Reply pressed =
        post(
            "/_sandbox/bots/" + bot.id() + "/keyboard",
            "{\"from\":" + from(person) + ",\"text\":\"Pro\"}");
    assertThat(pressed.status()).isEqualTo(201);
    assertThat(pressed.body().path("text").asText()).isEqualTo("Pro");
    JsonNode update = drain(bot).get(0);
    assertThat(update.path("message").path("text").asText()).isEqualTo("Pro");
    assertThat(update.path("message").path("from").path("id").asLong()).isEqualTo(person.id());

    Reply missing =
        post(
            "/_sandbox/bots/" + bot.id() + "/keyboard",
            "{\"from\":" + from(person) + ",\"text\":\"Gold\"}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body().path("error").path("message").asText()).contains("Gold");
    assertThatThrownBy(() -> telegram.pressButton(bot.id(), newPerson("Nobody"), "Pro"))
        .as("another person's chat shows no keyboard")
        .isInstanceOf(InvalidInputException.class);

    send(bot, person.id(), "Thanks", "{\"remove_keyboard\":true}");
    assertThat(telegram.replyKeyboard(bot.id(), person.id())).isEmpty();
    assertThatThrownBy(() -> telegram.pressButton(bot.id(), person, "Pro"))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void aOneTimeKeyboardHidesOncePressed() throws Exception {
    Bot bot = telegram.createBot(null);
    User person = newPerson("Alan");
    send(bot, person.id(), "Sure?", "{\"keyboard\":[[\"Yes\",\"No\"]],\"one_time_keyboard\":true}");
    assertThat(telegram.pressButton(bot.id(), person, "Yes").text()).isEqualTo("Yes");
    assertThat(telegram.replyKeyboard(bot.id(), person.id())).isEmpty();
  }

  @Test
  void malformedMarkupIsABadRequestAsTelegramAnswersIt() throws Exception {
    Bot bot = telegram.createBot(null);
    long chat = newPerson("Edsger").id();
    assertBadMarkup(bot, chat, "5", "can't parse reply keyboard markup JSON object");
    assertBadMarkup(bot, chat, "{\"foo\":1}", "can't parse reply keyboard markup JSON object");
    assertBadMarkup(
        bot,
        chat,
        "{\"inline_keyboard\":[{\"text\":\"a\"}]}",
        "field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays");
    assertBadMarkup(
        bot,
        chat,
        "{\"inline_keyboard\":[[{\"text\":\"a\"}]]}",
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
    assertBadMarkup(
        bot,
        chat,
        "{\"inline_keyboard\":[[{\"text\":\"a\",\"callback_data\":\"" + "x".repeat(65) + "\"}]]}",
        "BUTTON_DATA_INVALID");
    // 64 bytes is the limit in bytes, not characters: 16 four-byte emoji pass, 17 do not
    send(
        bot,
        chat,
        "ok",
        "{\"inline_keyboard\":[[{\"text\":\"a\",\"callback_data\":\"" + "😀".repeat(16) + "\"}]]}");
    assertBadMarkup(
        bot,
        chat,
        "{\"inline_keyboard\":[[{\"text\":\"a\",\"callback_data\":\"" + "😀".repeat(17) + "\"}]]}",
        "BUTTON_DATA_INVALID");
    assertBadMarkup(
        bot,
        chat,
        "{\"inline_keyboard\":[[{\"text\":\"a\",\"url\":\"ftp://example.com\"}]]}",
        "inline keyboard button URL 'ftp://example.com' is invalid: Wrong HTTP URL");
    assertBadMarkup(
        bot,
        chat,
        "{\"inline_keyboard\":[[{\"text\":\"a\",\"url\":\"https://x.io\",\"callback_data\":\"b\"}]]}",
        "can't parse inline keyboard button: only one of the optional fields must be used");
    assertBadMarkup(
        bot,
        chat,
        "{\"keyboard\":[[{\"text\":\"a\",\"request_managed_bot\":{\"request_id\":1}},"
            + "{\"text\":\"b\",\"request_managed_bot\":{\"request_id\":1}}]]}",
        "BUTTON_ID_INVALID");
    assertBadMarkup(
        bot,
        chat,
        "{\"keyboard\":[[{\"text\":\"a\",\"request_managed_bot\":{\"request_id\":\"one\"}}]]}",
        "can't parse keyboard button: Field \"request_id\" must be a signed 32-bit Integer");
    assertBadMarkup(
        bot,
        -100,
        "{\"keyboard\":[[{\"text\":\"a\",\"request_managed_bot\":{\"request_id\":1}}]]}",
        "keyboard buttons requesting a managed bot are allowed only in private chats");
    assertBadMarkup(
        bot, chat, "{\"remove_keyboard\":false}", "field \"remove_keyboard\" must be true");

    JsonNode message =
        send(
            bot,
            chat,
            "pick",
            "{\"inline_keyboard\":[[{\"text\":\"a\",\"callback_data\":\"a\"}]]}");
    assertError(
        api(
            bot.token(),
            "editMessageText",
            "{\"chat_id\":"
                + chat
                + ",\"message_id\":"
                + message.path("message_id").asLong()
                + ",\"text\":\"again\",\"reply_markup\":{\"keyboard\":[[\"a\"]]}}"),
        400,
        "Bad Request: inline keyboard expected");
  }

  // --- inline keyboards ----------------------------------------------------------------------

  @Test
  void anInlineButtonPressIsACallbackQueryTheBotAnswersOnce() throws Exception {
    Bot bot = telegram.createBot(null);
    User person = newPerson("Barbara");
    String markup =
        "{\"inline_keyboard\":[[{\"text\":\"Starter\",\"callback_data\":\"plan:starter\"},"
            + "{\"text\":\"Pay\",\"url\":\"https://checkout.example/s/1\"}]]}";
    JsonNode sent = send(bot, person.id(), "Pick one", markup);
    assertThat(sent.path("reply_markup")).isEqualTo(Json.MAPPER.readTree(markup));
    long messageId = sent.path("message_id").asLong();

    Reply pressed =
        post(
            "/_sandbox/bots/" + bot.id() + "/callbacks",
            "{\"from\":" + from(person) + ",\"callbackData\":\"plan:starter\"}");
    assertThat(pressed.status()).isEqualTo(201);
    String queryId = pressed.body().path("id").asText();
    assertThat(queryId).isNotBlank();
    assertThat(pressed.body().path("messageId").asLong()).isEqualTo(messageId);

    JsonNode query = drain(bot).get(0).path("callback_query");
    assertThat(query.path("id").asText()).isEqualTo(queryId);
    assertThat(query.path("data").asText()).isEqualTo("plan:starter");
    assertThat(query.path("from").path("id").asLong()).isEqualTo(person.id());
    assertThat(query.path("message").path("message_id").asLong()).isEqualTo(messageId);
    assertThat(query.path("chat_instance").asText()).isNotBlank();

    assertThat(
            api(
                    bot.token(),
                    "answerCallbackQuery",
                    "{\"callback_query_id\":\"" + queryId + "\",\"text\":\"Starter it is\"}")
                .result()
                .asBoolean())
        .isTrue();
    assertError(
        api(bot.token(), "answerCallbackQuery", "{\"callback_query_id\":\"" + queryId + "\"}"),
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid");
    ChatEntry press = telegram.chat(bot.id(), person.id()).get(1);
    assertThat(press.kind()).isEqualTo(ChatEntry.Kind.CALLBACK_QUERY);
    assertThat(press.callbackData()).isEqualTo("plan:starter");
    assertThat(press.callbackQueryId()).isEqualTo(queryId);
    assertThat(press.callbackAnswer()).isEqualTo("Starter it is");
    assertThat(press.messageId()).isEqualTo(messageId);

    // a URL button sends nothing back; unknown data is refused
    Reply url =
        post(
            "/_sandbox/bots/" + bot.id() + "/callbacks",
            "{\"from\":" + from(person) + ",\"callbackData\":\"https://checkout.example/s/1\"}");
    assertThat(url.status()).isEqualTo(400);

    // editing the message replaces its buttons: the old data is gone, the new one works
    api(
            bot.token(),
            "editMessageText",
            "{\"chat_id\":"
                + person.id()
                + ",\"message_id\":"
                + messageId
                + ",\"text\":\"Paid?\",\"reply_markup\":{\"inline_keyboard\":[[{\"text\":\"Check\","
                + "\"callback_data\":\"check\"}]]}}")
        .result();
    assertThatThrownBy(
            () -> telegram.pressInlineButton(bot.id(), person, messageId, "plan:starter"))
        .isInstanceOf(InvalidInputException.class);
    CallbackQuery check = telegram.pressInlineButton(bot.id(), person, messageId, "check");
    assertThat(check.messageId()).isEqualTo(messageId);
    Reply byLabel =
        post(
            "/_sandbox/bots/" + bot.id() + "/callbacks",
            "{\"from\":" + from(person) + ",\"text\":\"Check\"}");
    assertThat(byLabel.status()).isEqualTo(201);
    assertThat(byLabel.body().path("data").asText()).isEqualTo("check");
    assertThatThrownBy(() -> telegram.pressInlineButtonByText(bot.id(), person, null, "Starter"))
        .isInstanceOf(InvalidInputException.class);
    JsonNode presses = drain(bot);
    assertThat(presses).hasSize(2);
    assertThat(presses.get(0).path("callback_query").path("message").path("text").asText())
        .isEqualTo("Paid?");
  }

  // --- managed bots --------------------------------------------------------------------------

  @Test
  void aPersonCreatesAManagedBotWhoseTokenOnlyItsManagerGetsAndCanReplace() throws Exception {
    Bot setup = telegram.createBot("setup_" + PEOPLE.incrementAndGet() + "_bot");
    User person = newPerson("Ada");
    String username = "ada_" + person.id() + "_bot";
    assertThat(api(setup.token(), "getMe", "{}").result().path("can_manage_bots").asBoolean())
        .isTrue();
    send(
        setup,
        person.id(),
        "Create your bot",
        "{\"keyboard\":[[{\"text\":\"Create my bot\",\"request_managed_bot\":{\"request_id\":7,"
            + "\"suggested_name\":\"Ada's agent\",\"suggested_username\":\""
            + username
            + "\"}}]]}");
    assertThatThrownBy(() -> telegram.pressButton(setup.id(), person, "Create my bot"))
        .as("not a text button")
        .isInstanceOf(InvalidInputException.class);
    assertThat(
            post(
                    "/_sandbox/bots/" + setup.id() + "/managed-bots",
                    "{\"from\":" + from(person) + ",\"requestId\":8}")
                .status())
        .isEqualTo(400);

    Reply created =
        post(
            "/_sandbox/bots/" + setup.id() + "/managed-bots",
            "{\"from\":" + from(person) + ",\"requestId\":7}");
    assertThat(created.status()).isEqualTo(201);
    long managedId = created.body().path("id").asLong();
    assertThat(created.body().path("username").asText()).isEqualTo(username);
    assertThat(created.body().path("firstName").asText()).isEqualTo("Ada's agent");

    JsonNode updates =
        api(
                setup.token(),
                "getUpdates",
                "{\"timeout\":0,\"allowed_updates\":[\"message\",\"callback_query\",\"managed_bot\"]}")
            .result();
    assertThat(updates).hasSize(2);
    JsonNode managedBot = updates.get(0).path("managed_bot");
    assertThat(managedBot.path("user").path("id").asLong()).isEqualTo(person.id());
    assertThat(managedBot.path("bot").path("id").asLong()).isEqualTo(managedId);
    assertThat(managedBot.path("bot").path("is_bot").asBoolean()).isTrue();
    assertThat(managedBot.path("bot").path("username").asText()).isEqualTo(username);
    JsonNode service = updates.get(1).path("message");
    assertThat(service.path("from").path("id").asLong()).isEqualTo(person.id());
    assertThat(service.path("managed_bot_created").path("bot").path("id").asLong())
        .isEqualTo(managedId);
    assertThat(service.has("text")).isFalse();
    drain(setup);
    ChatEntry entry = telegram.chat(setup.id(), person.id()).get(1);
    assertThat(entry.managedBotCreated().path("bot").path("username").asText()).isEqualTo(username);

    String token =
        api(setup.token(), "getManagedBotToken", "{\"user_id\":" + managedId + "}")
            .result()
            .asText();
    assertThat(token).startsWith(managedId + ":");
    assertThat(api(token, "getMe", "{}").result().path("username").asText()).isEqualTo(username);
    BotStats stats = telegram.stats(managedId);
    assertThat(stats.managerBotId()).isEqualTo(setup.id());
    assertThat(stats.ownerId()).isEqualTo(person.id());

    // only its manager gets its token
    Bot other = telegram.createBot(null);
    assertError(
        api(other.token(), "getManagedBotToken", "{\"user_id\":" + managedId + "}"),
        400,
        "Bad Request: BOT_INVALID");
    assertError(
        api(setup.token(), "getManagedBotToken", "{\"user_id\":" + other.id() + "}"),
        400,
        "Bad Request: BOT_INVALID");
    assertError(
        api(setup.token(), "getManagedBotToken", "{}"),
        400,
        "Bad Request: invalid user_id specified");

    // a replaced token stops working at once, an open long poll included
    CompletableFuture<Reply> poll =
        HTTP.sendAsync(
                apiRequest(token, "getUpdates", "{\"timeout\":50}"),
                HttpResponse.BodyHandlers.ofString())
            .thenApply(
                response -> {
                  try {
                    return new Reply(response.statusCode(), Json.MAPPER.readTree(response.body()));
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                });
    await().atMost(10, TimeUnit.SECONDS).until(() -> telegram.stats(managedId).polling());
    String replaced =
        api(setup.token(), "replaceManagedBotToken", "{\"user_id\":" + managedId + "}")
            .result()
            .asText();
    assertThat(replaced).startsWith(managedId + ":").isNotEqualTo(token);
    assertError(poll.get(10, TimeUnit.SECONDS), 401, "Unauthorized");
    assertError(api(token, "getMe", "{}"), 401, "Unauthorized");
    assertThat(api(replaced, "getMe", "{}").result().path("id").asLong()).isEqualTo(managedId);
    assertThat(
            api(setup.token(), "getManagedBotToken", "{\"user_id\":" + managedId + "}")
                .result()
                .asText())
        .isEqualTo(replaced);
    JsonNode tokenChanged = drain(setup);
    assertThat(tokenChanged).hasSize(1);
    assertThat(tokenChanged.get(0).path("managed_bot").path("bot").path("id").asLong())
        .isEqualTo(managedId);

    // the same suggestion again: the username is taken, so a variant
    Bot second = telegram.createManagedBot(setup.id(), person, 7);
    assertThat(second.username()).isNotEqualToIgnoringCase(username).endsWith("_bot");
    assertThat(second.username()).startsWith("ada_" + person.id());
  }

  @Test
  void withoutARequestButtonNoManagedBotIsMade() {
    Bot setup = telegram.createBot(null);
    User person = newPerson("Kathleen");
    assertThatThrownBy(() -> telegram.createManagedBot(setup.id(), person, null))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> telegram.createManagedBot(42, person, null))
        .isInstanceOf(NotFoundException.class);
  }

  // --- deep links and deleted messages -------------------------------------------------------

  @Test
  void aDeepLinkSendsStartWithItsPayload() throws Exception {
    Bot bot = telegram.createBot("link_" + PEOPLE.incrementAndGet() + "_bot");
    User person = newPerson("Hedy");
    Update direct = telegram.openDeepLink(bot.id(), person, "n0nce_-X");
    assertThat(direct.text()).isEqualTo("/start n0nce_-X");
    Reply viaLink =
        post(
            "/_sandbox/links",
            "{\"from\":"
                + from(person)
                + ",\"url\":\"https://t.me/"
                + bot.username().toUpperCase()
                + "?start=abc\"}");
    assertThat(viaLink.status()).isEqualTo(201);
    assertThat(viaLink.body().path("text").asText()).isEqualTo("/start abc");
    Reply viaStart =
        post("/_sandbox/bots/" + bot.id() + "/start", "{\"from\":" + from(person) + "}");
    assertThat(viaStart.body().path("text").asText()).isEqualTo("/start");

    JsonNode updates = drain(bot);
    assertThat(updates).hasSize(3);
    JsonNode first = updates.get(0).path("message");
    assertThat(first.path("text").asText()).isEqualTo("/start n0nce_-X");
    assertThat(first.path("entities").get(0).path("type").asText()).isEqualTo("bot_command");
    assertThat(first.path("entities").get(0).path("length").asInt()).isEqualTo(6);

    assertThat(
            post(
                    "/_sandbox/bots/" + bot.id() + "/start",
                    "{\"from\":" + from(person) + ",\"payload\":\"has space\"}")
                .status())
        .isEqualTo(400);
    assertThat(
            post(
                    "/_sandbox/links",
                    "{\"from\":"
                        + from(person)
                        + ",\"url\":\"https://t.me/nobody_here_bot?start=a\"}")
                .status())
        .isEqualTo(404);
    assertThat(
            post(
                    "/_sandbox/links",
                    "{\"from\":" + from(person) + ",\"url\":\"https://example.com/x\"}")
                .status())
        .isEqualTo(400);
    assertThat(
            telegram.openLink(person, "tg://resolve?domain=" + bot.username() + "&start=t").text())
        .isEqualTo("/start t");
  }

  @Test
  void deleteMessageRemovesAPersonsMessageFromTheChat() throws Exception {
    Bot bot = telegram.createBot(null);
    User person = newPerson("Radia");
    telegram.sendAsUser(bot.id(), person, "hello");
    Update pasted = telegram.sendAsUser(bot.id(), person, "123456:pasted-token-secret");
    assertThat(
            api(
                    bot.token(),
                    "deleteMessage",
                    "{\"chat_id\":" + person.id() + ",\"message_id\":" + pasted.messageId() + "}")
                .result()
                .asBoolean())
        .isTrue();
    List<ChatEntry> chat = telegram.chat(bot.id(), person.id());
    assertThat(chat).extracting(ChatEntry::text).containsExactly("hello");
    assertError(
        api(
            bot.token(),
            "deleteMessage",
            "{\"chat_id\":" + person.id() + ",\"message_id\":" + pasted.messageId() + "}"),
        400,
        "Bad Request: message to delete not found");
  }

  @Test
  void theChatPageHasTheButtons() throws Exception {
    HttpResponse<String> page =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sandbox.port() + "/telegram/"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.body())
        .contains("/keyboard", "/callbacks", "/managed-bots", "/_sandbox/links", "inline_keyboard");
  }
}
