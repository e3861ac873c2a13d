package cloud.openclaw.onboarding.telegram;

import static cloud.openclaw.onboarding.telegram.ScriptedConversation.json;
import static cloud.openclaw.onboarding.telegram.ScriptedConversation.message;
import static cloud.openclaw.onboarding.telegram.ScriptedConversation.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.sandbox.Main;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.ChatEntry;
import cloud.openclaw.sandbox.telegram.TelegramStandIn;
import cloud.openclaw.sandbox.telegram.User;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The setup bot against the sandbox's Telegram stand-in and a real Redis, with a scripted
 * conversation in place of the real one ({@link ScriptedConversation}).
 */
class SetupBotIT {
  @RegisterExtension static final TestRedis REDIS = new TestRedis();

  private static final AtomicLong PEOPLE = new AtomicLong(41_000);
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static Main.Sandbox sandbox;
  private static TelegramStandIn telegram;
  private static Redis redis;
  private static ConversationLog log;

  private final List<SetupBot> running = new ArrayList<>();
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          logged.add(record.getMessage() + " " + record.getThrown());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private Bot setup;
  private ScriptedConversation conversation;

  @BeforeAll
  static void startSandbox() {
    sandbox =
        Main.startSandbox(
            ConfigLoader.load(
                "sandbox", Map.of(), Map.of("sandbox.port", "0", "sandbox.host", "127.0.0.1")));
    telegram = sandbox.telegram();
    redis = Redis.connect(new RedisSettings(REDIS.url(), REDIS.prefix(), 32));
    log = new ConversationLog(redis, Duration.ofDays(7));
  }

  @AfterAll
  static void stopSandbox() {
    if (sandbox != null) {
      sandbox.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void newSetupBot() {
    setup = telegram.createBot(null, "OpenClaw setup");
    conversation = new ScriptedConversation(log);
    Logger.getLogger("cloud.openclaw.onboarding.telegram").addHandler(capture);
  }

  @AfterEach
  void stopSetupBots() {
    running.forEach(SetupBot::close);
    Logger.getLogger("cloud.openclaw.onboarding.telegram").removeHandler(capture);
  }

  private URI apiRoot() {
    return URI.create("http://127.0.0.1:" + sandbox.port() + "/telegram");
  }

  private SetupBot start(URI apiRoot) {
    return start(apiRoot, conversation);
  }

  private SetupBot start(URI apiRoot, ConversationInput input) {
    SetupBot bot =
        SetupBot.start(
                new SetupBotSettings(setup.token(), apiRoot, Duration.ofMinutes(10)),
                redis,
                log,
                input)
            .orElseThrow();
    running.add(bot);
    return bot;
  }

  private SetupBot start() {
    return start(apiRoot());
  }

  private static User newPerson(String name) {
    return new User(PEOPLE.incrementAndGet(), name, null);
  }

  private static String key(User person) {
    return "tg:" + person.id();
  }

  private List<ChatEntry> botMessages(User person) {
    return telegram.botMessages(setup.id(), person.id());
  }

  private ChatEntry awaitBotMessage(User person, String text) {
    await()
        .atMost(WAIT)
        .until(() -> botMessages(person).stream().anyMatch(m -> text.equals(m.text())));
    return botMessages(person).stream().filter(m -> text.equals(m.text())).findFirst().get();
  }

  private List<ScriptedConversation.Input> awaitInputs(User person, int count) {
    await().atMost(WAIT).until(() -> conversation.inputs(key(person)).size() >= count);
    return conversation.inputs(key(person));
  }

  @Test
  void startWithOrWithoutPayloadReachesTheConversationAndItsReplyIsSent() {
    start();
    User ada = newPerson("Ada");
    conversation.script(
        key(ada),
        in -> List.of(message("m1", "Hi " + in.path("firstName").asText() + "! What is it for?")));

    telegram.openDeepLink(setup.id(), ada, null);
    ScriptedConversation.Input first = awaitInputs(ada, 1).get(0);
    assertThat(first.input().properties())
        .extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder("type", "text", "telegramUserId", "firstName");
    assertThat(first.input().path("type").asText()).isEqualTo("text");
    assertThat(first.input().path("text").asText()).isEqualTo("/start");
    assertThat(first.input().path("telegramUserId").asLong()).isEqualTo(ada.id());
    assertThat(first.input().path("firstName").asText()).isEqualTo("Ada");
    awaitBotMessage(ada, "Hi Ada! What is it for?");

    telegram.openDeepLink(setup.id(), ada, "from_site");
    ScriptedConversation.Input second = awaitInputs(ada, 2).get(1);
    assertThat(second.input().path("text").asText()).isEqualTo("/start");
    assertThat(second.input().path("startPayload").asText()).isEqualTo("from_site");

    telegram.sendAsUser(setup.id(), ada, "A bot that books my meetings");
    assertThat(awaitInputs(ada, 3).get(2).input().path("text").asText())
        .isEqualTo("A bot that books my meetings");
    await().atMost(WAIT).until(() -> botMessages(ada).size() == 3);
  }

  @Test
  void aPastedTokenIsDeletedFromTheChatAndNeverSentOrLogged() {
    start();
    User grace = newPerson("Grace");
    conversation.script(
        key(grace),
        in ->
            in.path("type").asText().equals("bot_token")
                ? List.of(message("m2", "Got your bot. Who owns it?"))
                : List.of(message("m1", "Paste your BotFather token.")));
    telegram.openDeepLink(setup.id(), grace, null);
    awaitBotMessage(grace, "Paste your BotFather token.");

    Bot theirs = telegram.createBot(null);
    telegram.sendAsUser(setup.id(), grace, " " + theirs.token() + "\n");

    ScriptedConversation.Input pasted = awaitInputs(grace, 2).get(1);
    assertThat(pasted.type()).isEqualTo("bot_token");
    assertThat(pasted.input().path("token").asText()).isEqualTo(theirs.token());
    assertThat(pasted.input().path("telegramUserId").asLong()).isEqualTo(grace.id());
    awaitBotMessage(grace, "Got your bot. Who owns it?");

    assertThat(telegram.stats(setup.id()).calls()).containsEntry("deleteMessage", 1L);
    List<ChatEntry> chat = telegram.chat(setup.id(), grace.id());
    assertThat(chat).noneMatch(entry -> String.valueOf(entry.rawText()).contains(theirs.token()));
    assertThat(chat).noneMatch(entry -> String.valueOf(entry.text()).contains(theirs.token()));
    assertThat(logged).noneMatch(line -> line.contains(theirs.token()));
  }

  @Test
  void aButtonPressBecomesAChoiceAndTheCallbackIsAnswered() {
    start();
    User linus = newPerson("Linus");
    String plans =
        json(
            Map.of(
                "type",
                "choices",
                "slot",
                "plan",
                "options",
                List.of(
                    Map.of("value", "starter", "label", "Starter (€19)"),
                    Map.of("value", "pro", "label", "Pro (€49)"))));
    conversation.script(
        key(linus),
        in ->
            in.path("type").asText().equals("choice")
                ? List.of(message("m2", "Pro it is."))
                : List.of(
                    json(Map.of("type", "delta", "messageId", "m1", "text", "Which")),
                    message("m1", "Which plan?"),
                    plans));
    telegram.openDeepLink(setup.id(), linus, null);
    ChatEntry question = awaitBotMessage(linus, "Which plan?");
    // the buttons come with the question, in one message; the delta is not sent
    assertThat(question.replyMarkup().path("inline_keyboard").toString())
        .contains("\"callback_data\":\"plan:starter\"", "\"callback_data\":\"plan:pro\"");
    assertThat(botMessages(linus)).hasSize(1);

    telegram.pressInlineButton(setup.id(), linus, null, "plan:pro");
    ScriptedConversation.Input choice = awaitInputs(linus, 2).get(1);
    assertThat(choice.input().path("type").asText()).isEqualTo("choice");
    assertThat(choice.input().path("slot").asText()).isEqualTo("plan");
    assertThat(choice.input().path("value").asText()).isEqualTo("pro");
    assertThat(choice.input().path("telegramUserId").asLong()).isEqualTo(linus.id());
    await()
        .atMost(WAIT)
        .until(
            () ->
                telegram.chat(setup.id(), linus.id()).stream()
                    .anyMatch(
                        entry ->
                            entry.kind() == ChatEntry.Kind.CALLBACK_QUERY
                                && entry.callbackAnswer() != null));
    awaitBotMessage(linus, "Pro it is.");

    // choices read apart from their question are edited into it
    log.append(key(linus), message("m3", "And your email?"));
    ChatEntry email = awaitBotMessage(linus, "And your email?");
    assertThat(email.replyMarkup()).isNull();
    log.append(
        key(linus),
        json(
            Map.of(
                "type",
                "choices",
                "slot",
                "email",
                "options",
                List.of(Map.of("value", "skip", "label", "Skip")))));
    await()
        .atMost(WAIT)
        .until(() -> awaitBotMessage(linus, "And your email?").replyMarkup() != null);
    assertThat(awaitBotMessage(linus, "And your email?").replyMarkup().toString())
        .contains("email:skip");
  }

  @Test
  void theManagedBotButtonYieldsTheTokenAndTheOwner() {
    start();
    User margaret = newPerson("Margaret");
    conversation.script(
        key(margaret),
        in ->
            switch (in.path("type").asText()) {
              case "managed_bot" -> List.of(message("m2", "Your bot is ready. Which plan?"));
              case "text" ->
                  in.path("text").asText().equals("/start")
                      ? List.of(
                          message("m1", "Let's make your bot."),
                          json(
                              Map.of(
                                  "type",
                                  "managed_bot",
                                  "requestId",
                                  7,
                                  "suggestedName",
                                  "Margaret's agent",
                                  "suggestedUsername",
                                  "margaret_agent_bot")))
                      : List.of();
              default -> List.of();
            });
    telegram.openDeepLink(setup.id(), margaret, null);
    awaitBotMessage(margaret, "Let's make your bot.");
    JsonNode keyboard = telegram.replyKeyboard(setup.id(), margaret.id()).orElseThrow();
    assertThat(keyboard.path("keyboard").get(0).get(0).path("request_managed_bot"))
        .isEqualTo(
            tree(
                "{\"request_id\":7,\"suggested_name\":\"Margaret's agent\","
                    + "\"suggested_username\":\"margaret_agent_bot\"}"));
    assertThat(keyboard.path("keyboard").get(1).get(0).path("text").asText())
        .isEqualTo(ChatRenderer.PASTE_TOKEN_LABEL);

    Bot made = telegram.createManagedBot(setup.id(), margaret, 7);

    ScriptedConversation.Input created = awaitInputs(margaret, 2).get(1);
    assertThat(created.type()).isEqualTo("managed_bot");
    assertThat(created.input().path("token").asText()).isEqualTo(made.token());
    assertThat(created.input().path("botId").asLong()).isEqualTo(made.id());
    assertThat(created.input().path("botUsername").asText()).isEqualTo("margaret_agent_bot");
    assertThat(created.input().path("telegramUserId").asLong()).isEqualTo(margaret.id());
    awaitBotMessage(margaret, "Your bot is ready. Which plan?");
    // answered: the keyboard went with the next message
    assertThat(telegram.replyKeyboard(setup.id(), margaret.id())).isEmpty();

    // a token replaced later (the admin's rotation) is not a new bot for the conversation
    new TelegramBots(apiRoot()).bot(setup.token()).replaceManagedBotToken(made.id());
    telegram.sendAsUser(setup.id(), margaret, "hello");
    List<ScriptedConversation.Input> inputs = awaitInputs(margaret, 3);
    assertThat(inputs).extracting(ScriptedConversation.Input::type).containsOnlyOnce("managed_bot");
    assertThat(inputs.get(2).input().path("text").asText()).isEqualTo("hello");
    assertThat(logged).noneMatch(line -> line.contains(made.token()));
  }

  @Test
  void theMailedLinkIsAPlainMessageAndProgressAndLiveOneEditedMessageAndAUrlButton() {
    start();
    User barbara = newPerson("Barbara");
    conversation.script(
        key(barbara),
        in ->
            List.of(
                message("m1", "The link to pay is on its way to barbara@example.com."),
                json(Map.of("type", "check_email", "email", "barbara@example.com"))));
    telegram.openDeepLink(setup.id(), barbara, null);
    ChatEntry mailed =
        awaitBotMessage(barbara, "The link to pay is on its way to barbara@example.com.");
    assertThat(mailed.replyMarkup()).isNull();

    // after payment the conversation speaks unasked
    for (String[] stage :
        List.of(
            new String[] {"paid", "Paid. Setting up your agent…"},
            new String[] {"provisioning", "Provisioning…"},
            new String[] {"starting", "Starting your agent…"})) {
      log.append(
          key(barbara), json(Map.of("type", "progress", "stage", stage[0], "text", stage[1])));
    }
    log.append(key(barbara), message("m9", "Your agent is live!"));
    log.append(
        key(barbara),
        json(
            Map.of(
                "type", "live", "botUsername", "barbara_bot", "url", "https://t.me/barbara_bot")));
    await()
        .atMost(WAIT)
        .until(() -> awaitBotMessage(barbara, "Your agent is live!").replyMarkup() != null);
    assertThat(awaitBotMessage(barbara, "Your agent is live!").replyMarkup())
        .isEqualTo(
            tree(
                "{\"inline_keyboard\":[[{\"text\":\"Open @barbara_bot\","
                    + "\"url\":\"https://t.me/barbara_bot\"}]]}"));

    List<ChatEntry> messages = botMessages(barbara);
    assertThat(messages)
        .extracting(ChatEntry::text)
        .containsExactly(
            "The link to pay is on its way to barbara@example.com.",
            "Starting your agent…",
            "Your agent is live!");
    // one progress message, edited as the stages advanced
    assertThat(messages.get(1).editDate()).isNotNull();
    assertThat(telegram.stats(setup.id()).calls().get("editMessageText")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aRestartNeitherResendsNorLosesEvents() {
    SetupBot first = start();
    User alan = newPerson("Alan");
    conversation.script(key(alan), in -> List.of(message("m1", "one")));
    telegram.openDeepLink(setup.id(), alan, null);
    awaitBotMessage(alan, "one");
    first.close();

    log.append(key(alan), message("m2", "two"));
    log.append(key(alan), message("m3", "three"));
    start();

    awaitBotMessage(alan, "three");
    assertThat(botMessages(alan))
        .extracting(ChatEntry::text)
        .containsExactly("one", "two", "three");
    // and it still reads the person
    telegram.sendAsUser(setup.id(), alan, "four?");
    awaitInputs(alan, 2);
    await().atMost(WAIT).until(() -> botMessages(alan).size() == 4);
    assertThat(botMessages(alan))
        .extracting(ChatEntry::text)
        .containsExactly("one", "two", "three", "one");
  }

  @Test
  void aSlowConversationHoldsNobodyElseAndItsUpdateIsConfirmedOnlyOnceHanded() throws Exception {
    User slow = newPerson("Slow");
    User quick = newPerson("Quick");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    ConversationInput stuckForSlow =
        (key, input) -> {
          if (key.equals(key(slow))) {
            entered.countDown();
            try {
              never.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted");
            }
          }
          conversation.input(key, input);
        };
    conversation.script(key(slow), in -> List.of(message("m1", "Hello Slow")));
    conversation.script(key(quick), in -> List.of(message("m1", "Hello Quick")));
    SetupBot first = start(apiRoot(), stuckForSlow);

    telegram.openDeepLink(setup.id(), slow, null);
    assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    telegram.openDeepLink(setup.id(), quick, null);
    awaitBotMessage(quick, "Hello Quick");
    // neither is confirmed to Telegram while the first one is not handed
    assertThat(telegram.stats(setup.id()).pending()).isEqualTo(2);
    first.close();

    start();
    awaitBotMessage(slow, "Hello Slow");
    assertThat(conversation.inputs(key(slow))).hasSize(1);
    assertThat(conversation.inputs(key(quick))).hasSize(1);
    await().atMost(WAIT).until(() -> telegram.stats(setup.id()).pending() == 0);
    assertThat(botMessages(quick)).hasSize(1);
  }

  @Test
  void anIdleChatsRendererEndsAndTheNextInputStartsItAgain() {
    TelegramChats chats = new TelegramChats(redis);
    ChatRenderer renderer = new ChatRenderer(new TelegramBots(apiRoot()).bot(setup.token()), chats);
    User kay = newPerson("Kay");
    try (ChatRenderers renderers =
        new ChatRenderers(log, chats, renderer, Duration.ofMillis(300))) {
      log.append(key(kay), message("m1", "first"));
      renderers.wake(kay.id());
      awaitBotMessage(kay, "first");
      await().atMost(WAIT).until(() -> !renderers.isRunning(kay.id()));

      log.append(key(kay), message("m2", "second"));
      renderers.wake(kay.id());
      awaitBotMessage(kay, "second");
      assertThat(botMessages(kay)).extracting(ChatEntry::text).containsExactly("first", "second");
      assertThat(chats.active()).contains(kay.id());
    }
  }

  @Test
  void tooManyRequestsWaitsTheRetryAfterTelegramAsked() throws Exception {
    try (TooManyRequestsFront front =
        new TooManyRequestsFront(
            URI.create("http://127.0.0.1:" + sandbox.port()),
            1,
            Set.of("getUpdates", "sendMessage"))) {
      start(front.root());
      User edsger = newPerson("Edsger");
      conversation.script(key(edsger), in -> List.of(message("m1", "Hello Edsger")));
      telegram.openDeepLink(setup.id(), edsger, null);
      awaitBotMessage(edsger, "Hello Edsger");
      assertThat(botMessages(edsger)).hasSize(1);

      for (String method : List.of("getUpdates", "sendMessage")) {
        List<TooManyRequestsFront.Call> calls = front.calls(method);
        assertThat(calls.get(0).status()).isEqualTo(429);
        assertThat(calls.get(1).atNanos() - calls.get(0).atNanos())
            .isGreaterThanOrEqualTo(Duration.ofMillis(950).toNanos());
      }
    }
  }

  @Test
  void aRefusedTokenStopsTheSetupBot() {
    SetupBot bot = start();
    telegram.revoke(setup.id(), true);
    await().atMost(WAIT).until(bot::stopped);
    assertThat(logged).anyMatch(line -> line.contains("refuses the setup bot's token"));
  }
}
