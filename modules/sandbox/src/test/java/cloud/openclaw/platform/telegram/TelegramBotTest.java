package cloud.openclaw.platform.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.telegram.ReplyMarkup.InlineButton;
import cloud.openclaw.platform.telegram.ReplyMarkup.InlineKeyboard;
import cloud.openclaw.platform.telegram.ReplyMarkup.KeyboardButton;
import cloud.openclaw.platform.telegram.ReplyMarkup.ManagedBotRequest;
import cloud.openclaw.sandbox.Main;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.TelegramStandIn;
import cloud.openclaw.sandbox.telegram.User;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * The platform's Telegram client against the sandbox's stand-in. It lives in the sandbox module
 * because the platform cannot depend on the sandbox (the sandbox depends on the platform).
 */
class TelegramBotTest {
  private static final AtomicLong PEOPLE = new AtomicLong(7000);

  private static Main.Sandbox sandbox;
  private static TelegramStandIn telegram;
  private static TelegramBots bots;

  @BeforeAll
  static void start() {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("sandbox.port", "0");
    overrides.put("sandbox.host", "127.0.0.1");
    sandbox = Main.startSandbox(ConfigLoader.load("sandbox", Map.of(), overrides));
    telegram = sandbox.telegram();
    bots = new TelegramBots(URI.create("http://127.0.0.1:" + sandbox.port() + "/telegram/"));
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private static User newPerson(String name) {
    return new User(PEOPLE.incrementAndGet(), name, null);
  }

  @Test
  void sendMessageWritesTheMarkupWithTheBotApisNames() throws Exception {
    Bot bot = telegram.createBot(null);
    TelegramBot client = bots.bot(bot.token());
    User person = newPerson("Ada");
    assertThat(client.id()).isEqualTo(bot.id());
    assertThat(client.getMe().username()).isEqualTo(bot.username());

    TelegramMessage sent =
        client.sendMessage(
            person.id(),
            "<b>Which plan?</b>",
            "HTML",
            InlineKeyboard.row(
                InlineButton.callback("Starter", "plan:starter"),
                InlineButton.url("Prices", "https://openclaw.cloud/prices")));
    assertThat(sent.text()).isEqualTo("Which plan?");
    assertThat(sent.chatId()).isEqualTo(person.id());
    assertThat(sent.isPrivate()).isTrue();
    assertThat(telegram.chat(bot.id(), person.id()).get(0).replyMarkup())
        .isEqualTo(
            Json.MAPPER.readTree(
                "{\"inline_keyboard\":[[{\"text\":\"Starter\",\"callback_data\":\"plan:starter\"},"
                    + "{\"text\":\"Prices\",\"url\":\"https://openclaw.cloud/prices\"}]]}"));

    client.sendMessage(
        person.id(),
        "Create your bot",
        null,
        ReplyMarkup.keyboard(
            List.of(
                List.of(
                    KeyboardButton.requestManagedBot(
                        "Create my bot", new ManagedBotRequest(1, "Ada's agent", "ada_agent_bot"))),
                List.of(KeyboardButton.text("I have a token")))));
    assertThat(telegram.replyKeyboard(bot.id(), person.id()).orElseThrow())
        .isEqualTo(
            Json.MAPPER.readTree(
                "{\"keyboard\":[[{\"text\":\"Create my bot\",\"request_managed_bot\":{\"request_id\":1,"
                    + "\"suggested_name\":\"Ada's agent\",\"suggested_username\":\"ada_agent_bot\"}}],"
                    + "[{\"text\":\"I have a token\"}]],\"resize_keyboard\":true,"
                    + "\"one_time_keyboard\":false}"));
    client.sendMessage(person.id(), "Thanks", null, ReplyMarkup.removeKeyboard());
    assertThat(telegram.replyKeyboard(bot.id(), person.id())).isEmpty();

    assertThatThrownBy(() -> InlineButton.callback("x", "y".repeat(65)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void getUpdatesReadsMessagesCallbackQueriesAndManagedBots() throws Exception {
    Bot setup = telegram.createBot(null);
    TelegramBot client = bots.bot(setup.token());
    User person = newPerson("Grace");
    long offset = 0;

    // a long poll answers as soon as the person writes
    CompletableFuture<List<TelegramUpdate>> poll =
        CompletableFuture.supplyAsync(
            () -> client.getUpdates(0, 30, TelegramBot.SETUP_BOT_UPDATES));
    await().atMost(10, TimeUnit.SECONDS).until(() -> telegram.stats(setup.id()).polling());
    telegram.sendAsUser(setup.id(), person, "hello");
    List<TelegramUpdate> first = poll.get(10, TimeUnit.SECONDS);
    assertThat(first).hasSize(1);
    TelegramMessage hello = first.get(0).message();
    assertThat(hello.text()).isEqualTo("hello");
    assertThat(hello.from().id()).isEqualTo(person.id());
    assertThat(hello.from().isBot()).isFalse();
    offset = first.get(0).updateId() + 1;

    TelegramMessage question =
        client.sendMessage(
            person.id(),
            "Plan?",
            null,
            InlineKeyboard.row(InlineButton.callback("Pro", "plan:pro")));
    telegram.pressInlineButton(setup.id(), person, null, "plan:pro");
    client.sendMessage(
        person.id(),
        "Create your bot",
        null,
        ReplyMarkup.keyboard(
            List.of(
                List.of(
                    KeyboardButton.requestManagedBot(
                        "Create", new ManagedBotRequest(3, null, null))))));
    Bot managed = telegram.createManagedBot(setup.id(), person, 3);

    List<TelegramUpdate> updates = client.getUpdates(offset, 0, TelegramBot.SETUP_BOT_UPDATES);
    assertThat(updates).hasSize(3);
    TelegramUpdate.CallbackQuery query = updates.get(0).callbackQuery();
    assertThat(query.data()).isEqualTo("plan:pro");
    assertThat(query.from().id()).isEqualTo(person.id());
    assertThat(query.message().messageId()).isEqualTo(question.messageId());
    client.answerCallbackQuery(query.id(), "Pro it is");
    assertThat(telegram.chat(setup.id(), person.id()))
        .anySatisfy(entry -> assertThat(entry.callbackAnswer()).isEqualTo("Pro it is"));

    TelegramUpdate.ManagedBotUpdated created = updates.get(1).managedBot();
    assertThat(created.user().id()).isEqualTo(person.id());
    assertThat(created.bot().id()).isEqualTo(managed.id());
    assertThat(created.bot().isBot()).isTrue();
    assertThat(updates.get(2).message().managedBotCreated().bot().username())
        .isEqualTo(managed.username());
    assertThat(updates.get(2).message().text()).isNull();

    // confirmed updates do not come again
    offset = updates.get(2).updateId() + 1;
    assertThat(client.getUpdates(offset, 0, null)).isEmpty();
  }

  @Test
  void editDeleteAndTheirErrors() {
    Bot bot = telegram.createBot(null);
    TelegramBot client = bots.bot(bot.token());
    User person = newPerson("Barbara");
    TelegramMessage progress = client.sendMessage(person.id(), "Paid. Provisioning…");
    TelegramMessage edited =
        client.editMessageText(
            person.id(),
            progress.messageId(),
            "Starting…",
            null,
            InlineKeyboard.row(InlineButton.url("Status", "https://openclaw.cloud/status")));
    assertThat(edited.text()).isEqualTo("Starting…");
    TelegramException.BadRequest same =
        (TelegramException.BadRequest)
            catchTelegram(
                () ->
                    client.editMessageText(
                        person.id(),
                        progress.messageId(),
                        "Starting…",
                        null,
                        InlineKeyboard.row(
                            InlineButton.url("Status", "https://openclaw.cloud/status"))));
    assertThat(same.notModified()).isTrue();
    assertThat(same.errorCode()).isEqualTo(400);

    var pasted = telegram.sendAsUser(bot.id(), person, "123:secret-token");
    client.deleteMessage(person.id(), pasted.messageId());
    assertThat(telegram.chat(bot.id(), person.id()))
        .noneSatisfy(entry -> assertThat(entry.text()).contains("secret"));
    TelegramException gone =
        catchTelegram(() -> client.deleteMessage(person.id(), pasted.messageId()));
    assertThat(gone).isInstanceOf(TelegramException.BadRequest.class);
    assertThat(gone.description()).isEqualTo("Bad Request: message to delete not found");
    assertThat(gone.retryable()).isFalse();
    assertThat(((TelegramException.BadRequest) gone).notModified()).isFalse();
  }

  @Test
  void aManagedBotsTokenComesFromItsManagerAndAReplacedOneIsRefused() {
    Bot setup = telegram.createBot(null);
    TelegramBot client = bots.bot(setup.token());
    User person = newPerson("Hedy");
    client.sendMessage(
        person.id(),
        "Create your bot",
        null,
        ReplyMarkup.keyboard(
            List.of(
                List.of(
                    KeyboardButton.requestManagedBot(
                        "Create", new ManagedBotRequest(9, "Hedy's agent", null))))));
    Bot managed = telegram.createManagedBot(setup.id(), person, 9);

    String token = client.getManagedBotToken(managed.id());
    assertThat(bots.bot(token).getMe().id()).isEqualTo(managed.id());
    String replaced = client.replaceManagedBotToken(managed.id());
    assertThat(replaced).isNotEqualTo(token);
    assertThat(catchTelegram(() -> bots.bot(token).getMe()))
        .isInstanceOf(TelegramException.TokenRefused.class)
        .satisfies(e -> assertThat(e.errorCode()).isEqualTo(401));
    assertThat(bots.bot(replaced).getMe().id()).isEqualTo(managed.id());
    assertThat(client.getManagedBotToken(managed.id())).isEqualTo(replaced);

    TelegramBot stranger = bots.bot(telegram.createBot(null).token());
    assertThat(catchTelegram(() -> stranger.getManagedBotToken(managed.id())))
        .isInstanceOf(TelegramException.BadRequest.class);
  }

  @Test
  void errorsAreTypedByWhatTheCallerCanDo() throws Exception {
    Bot bot = telegram.createBot(null);
    TelegramBot client = bots.bot(bot.token());

    // 409: a newer long poll terminates the open one
    CompletableFuture<List<TelegramUpdate>> older =
        CompletableFuture.supplyAsync(() -> client.getUpdates(0, 30, null));
    await().atMost(10, TimeUnit.SECONDS).until(() -> telegram.stats(bot.id()).polling());
    CompletableFuture<List<TelegramUpdate>> newer =
        CompletableFuture.supplyAsync(() -> client.getUpdates(0, 1, null));
    assertThat(catchTelegram(() -> older.join())).isInstanceOf(TelegramException.Conflict.class);
    assertThat(newer.get(10, TimeUnit.SECONDS)).isEmpty();

    telegram.revoke(bot.id(), true);
    TelegramException refused = catchTelegram(client::getMe);
    assertThat(refused).isInstanceOf(TelegramException.TokenRefused.class);
    assertThat(refused.getMessage()).doesNotContain(bot.token());
    assertThat(client.toString()).doesNotContain(bot.token());

    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    TelegramException unreachable =
        catchTelegram(
            () ->
                new TelegramBots(URI.create("http://127.0.0.1:" + closed))
                    .bot(bot.token())
                    .getMe());
    assertThat(unreachable).isInstanceOf(TelegramException.Unavailable.class);
    assertThat(unreachable.retryable()).isTrue();
    assertThat(unreachable.errorCode()).isZero();

    assertThat(
            catchTelegram(
                () ->
                    TelegramBots.result(
                        "sendMessage",
                        429,
                        bytes(
                            "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry"
                                + " after 7\",\"parameters\":{\"retry_after\":7}}"))))
        .isInstanceOf(TelegramException.TooManyRequests.class)
        .satisfies(e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)))
        .satisfies(e -> assertThat(e.retryable()).isTrue());
    assertThat(
            catchTelegram(
                () ->
                    TelegramBots.result(
                        "sendMessage",
                        502,
                        bytes(
                            "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}"))))
        .isInstanceOf(TelegramException.Unavailable.class);
    assertThat(catchTelegram(() -> TelegramBots.result("getMe", 502, bytes("<html>bad gateway"))))
        .isInstanceOf(TelegramException.Unavailable.class)
        .satisfies(e -> assertThat(e.errorCode()).isEqualTo(502));
    assertThat(
            catchTelegram(
                () ->
                    TelegramBots.result(
                        "sendMessage",
                        403,
                        bytes(
                            "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot was"
                                + " blocked by the user\"}"))))
        .isInstanceOf(TelegramException.BadRequest.class)
        .satisfies(e -> assertThat(((TelegramException.BadRequest) e).forbidden()).isTrue());
  }

  @Test
  void identifyStillChecksAPastedToken() {
    Bot bot = telegram.createBot(null);
    assertThat(bots.identify(bot.token(), "botToken"))
        .isEqualTo(new TelegramBots.Bot(bot.id(), bot.username()));
    assertThatThrownBy(() -> bots.identify(bot.id() + ":" + "x".repeat(35), "botToken"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("does not know");
    assertThatThrownBy(() -> bots.identify("nonsense", "botToken"))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> bots.bot("nonsense")).isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static TelegramException catchTelegram(Runnable call) {
    try {
      call.run();
    } catch (TelegramException e) {
      return e;
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof TelegramException telegramException) {
        return telegramException;
      }
      throw e;
    }
    throw new AssertionError("no TelegramException");
  }
}
