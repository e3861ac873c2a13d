package cloud.openclaw.onboarding;

import cloud.openclaw.onboarding.OnboardingSettings.ModelSettings;
import cloud.openclaw.onboarding.conversation.Checkouts;
import cloud.openclaw.onboarding.conversation.ConversationEvents;
import cloud.openclaw.onboarding.conversation.ConversationLock;
import cloud.openclaw.onboarding.conversation.ConversationModel;
import cloud.openclaw.onboarding.conversation.ConversationState;
import cloud.openclaw.onboarding.conversation.ConversationStore;
import cloud.openclaw.onboarding.conversation.Conversations;
import cloud.openclaw.onboarding.conversation.Input;
import cloud.openclaw.onboarding.conversation.MessageLimit;
import cloud.openclaw.onboarding.conversation.OwnerProofs;
import cloud.openclaw.onboarding.conversation.SignupClient;
import cloud.openclaw.onboarding.conversation.StateMachine;
import cloud.openclaw.onboarding.model.LangchainConversationModel;
import cloud.openclaw.onboarding.model.RedisChatMemoryStore;
import cloud.openclaw.onboarding.progress.ProgressFollower;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.signup.SignupFollowUps;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A conversation's real surroundings for one test class: its Redis prefix, the sandbox (Telegram
 * checks bot tokens, Kimi is the model, Stripe opens checkouts), and our api on the class's
 * database for the sign-ups ({@link TestApi}). Builds {@link Conversations} the way Main does, with
 * or without a model.
 */
final class Harness implements AutoCloseable {
  static final Duration TTL = Duration.ofDays(7);
  static final String KIMI_KEY = "sk-sandbox-kimi";
  static final String SIGNUP_TOKEN = "onboarding-internal-token-for-the-api";

  final Redis redis;
  final Sandbox sandbox;
  final TestApi api;
  final SecretBox secrets = TestApi.SECRETS;
  final Plans plans;
  final StateMachine machine;
  final ConversationStore store;
  final ConversationLog log;

  Harness(TestPostgres postgres, TestRedis testRedis) {
    redis = TestServices.redis(testRedis);
    sandbox = TestServices.sandbox();
    api = new TestApi(postgres, testRedis, sandbox, SIGNUP_TOKEN);
    plans = Plans.from(new Settings(ConfigLoader.load("onboarding-agent", Map.of(), Map.of())));
    machine =
        new StateMachine(
            plans,
            new TelegramBots(URI.create(sandboxUrl() + "/telegram")),
            secrets,
            Map.of("starter", "19 EUR a month"));
    store = new ConversationStore(redis, TTL);
    log = new ConversationLog(redis, TTL);
  }

  String sandboxUrl() {
    return "http://127.0.0.1:" + sandbox.port();
  }

  Conversations scripted() {
    return conversations(null, 1000);
  }

  Conversations conversations(ConversationModel model, int messagesPerMinute) {
    return conversations(model, messagesPerMinute, OwnerProofs.NONE);
  }

  Conversations conversations(
      ConversationModel model, int messagesPerMinute, OwnerProofs ownerProofs) {
    return conversations(model, messagesPerMinute, ownerProofs, api.url());
  }

  /** Conversations that sign up at {@code apiUrl}. */
  Conversations conversations(
      ConversationModel model, int messagesPerMinute, OwnerProofs ownerProofs, URI apiUrl) {
    return new Conversations(
        machine,
        store,
        new ConversationLock(redis),
        new MessageLimit(redis, messagesPerMinute, Clock.systemUTC()),
        new ConversationEvents(log),
        model,
        new Checkouts(new SignupClient(apiUrl, Harness.SIGNUP_TOKEN), machine, store),
        ownerProofs);
  }

  /**
   * Follows conversations after their sign-up is mailed, as Main does: the follow-ups the api
   * records and their boxes' progress. Close it at the end.
   */
  ProgressFollower follower() {
    EventBus bus = new EventBus(redis);
    return new ProgressFollower(
            bus,
            store,
            new ConversationLock(redis),
            new ConversationEvents(log),
            new BoxStore(api.database, secrets),
            new SignupFollowUps(redis, bus))
        .start();
  }

  /** The sandbox's Kimi as the model, with {@code apiKey} (a wrong one makes every call fail). */
  ConversationModel kimi(String apiKey) {
    return new LangchainConversationModel(
        new ModelSettings(sandboxUrl() + "/kimi/v1", apiKey, "kimi-k2.6", Duration.ofSeconds(20)),
        machine,
        new RedisChatMemoryStore(redis, TTL));
  }

  Bot bot() {
    return sandbox.telegram().createBot("agent_" + Long.toHexString(System.nanoTime()) + "_bot");
  }

  static String webKey() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return "web:" + HexFormat.of().formatHex(bytes);
  }

  static String telegramKey() {
    return "tg:" + (100_000_000L + new SecureRandom().nextInt(900_000_000));
  }

  ConversationState state(String key) {
    return store.load(key).orElseThrow();
  }

  /** Every event of the conversation, in order. */
  List<JsonNode> events(String key) {
    return events(key, "0");
  }

  List<JsonNode> events(String key, String after) {
    List<JsonNode> events = new ArrayList<>();
    for (ConversationLog.Entry entry : log.read(key, after, 10_000, null)) {
      try {
        events.add(Json.MAPPER.readTree(entry.json()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return events;
  }

  /** The text of the last {@code message} event. */
  String lastMessage(String key) {
    return events(key).stream()
        .filter(e -> e.path("type").asText().equals("message"))
        .reduce((a, b) -> b)
        .map(e -> e.path("text").asText())
        .orElse("");
  }

  List<JsonNode> ofType(String key, String type) {
    return events(key).stream().filter(e -> e.path("type").asText().equals(type)).toList();
  }

  /** Says {@code text} and returns the reply's events. */
  List<JsonNode> say(Conversations conversations, String key, String text) {
    String after = conversations.input(key, new Input.Text(text));
    return events(key, after);
  }

  /** A web conversation answered up to the summary (scripted), owner proven by the nonce. */
  String upToSummary(Conversations conversations, Bot bot, String email) {
    String key = webKey();
    conversations.input(key, new Input.Start());
    say(conversations, key, "Answer my customers' questions about opening hours and prices");
    say(conversations, key, bot.token());
    ConversationState state = state(key);
    conversations.input(key, new Input.OwnerProven(4242L, state.ownerNonce));
    say(conversations, key, "just me");
    say(conversations, key, "starter");
    say(conversations, key, email);
    return key;
  }

  @Override
  public void close() {
    TestServices.closeAll(api, sandbox, redis);
  }
}
