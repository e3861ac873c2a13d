package cloud.openclaw.onboarding;

import cloud.openclaw.onboarding.conversation.Checkouts;
import cloud.openclaw.onboarding.conversation.ConversationEvents;
import cloud.openclaw.onboarding.conversation.ConversationLock;
import cloud.openclaw.onboarding.conversation.ConversationModel;
import cloud.openclaw.onboarding.conversation.ConversationStore;
import cloud.openclaw.onboarding.conversation.Conversations;
import cloud.openclaw.onboarding.conversation.MessageLimit;
import cloud.openclaw.onboarding.conversation.OwnerProofs;
import cloud.openclaw.onboarding.conversation.SignupClient;
import cloud.openclaw.onboarding.conversation.StateMachine;
import cloud.openclaw.onboarding.http.ConversationService;
import cloud.openclaw.onboarding.model.LangchainConversationModel;
import cloud.openclaw.onboarding.model.RedisChatMemoryStore;
import cloud.openclaw.onboarding.owner.TelegramOwnerProofs;
import cloud.openclaw.onboarding.progress.ProgressFollower;
import cloud.openclaw.onboarding.telegram.ConversationsInput;
import cloud.openclaw.onboarding.telegram.SetupBot;
import cloud.openclaw.onboarding.telegram.SetupBotSettings;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Opened;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.signup.SignupFollowUps;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.telegram.OwnerProof;
import cloud.openclaw.platform.telegram.TelegramBots;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The onboarding-agent service: the conversation that replaces the sign-up form (web and Telegram).
 * {@link Conversations} is the conversation's Java API (transports in this JVM call it); {@code
 * /conversations} is the same over HTTP for the api's web relay.
 */
public final class Main {
  static final String SERVICE = "onboarding-agent";

  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  /** Telegram chats rendered at once (each holds a Redis connection while it waits). */
  static final int SETUP_BOT_CONNECTIONS = 64;

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /**
   * Connects to PostgreSQL (migrated) and Redis, follows the progress of conversations waiting for
   * their box, then serves on {@code onboarding.host:onboarding.port}.
   */
  public static RunningService start(Config config) {
    return start(config, null);
  }

  /**
   * Like {@link #start(Config)}, owners of pasted bots proven by {@code ownerProofs} (null: by
   * watching their bots on Telegram).
   */
  public static RunningService start(Config config, OwnerProofs ownerProofs) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, "onboarding");
    PlatformSettings platform = PlatformSettings.from(settings);
    OnboardingSettings onboarding = OnboardingSettings.from(settings);
    SecretBox secrets = new SecretBox(CryptoSettings.from(settings));
    TelegramBots telegram = new TelegramBots(URI.create(settings.string("telegram.api-root")));
    Opened opened = new Opened();
    try {
      Connections connections = opened.add(Connections.open(platform));
      Redis redis = connections.redis();
      OwnerProofs owners =
          ownerProofs != null
              ? ownerProofs
              : opened.add(
                  new TelegramOwnerProofs(new OwnerProof(telegram), onboarding.ownerProofWait()));
      StateMachine machine =
          new StateMachine(platform.plans(), telegram, secrets, onboarding.prices());
      ConversationStore store = new ConversationStore(redis, onboarding.stateTtl());
      ConversationLock lock = new ConversationLock(redis);
      ConversationEvents events =
          new ConversationEvents(new ConversationLog(redis, onboarding.stateTtl()));
      ConversationModel model =
          onboarding.model().enabled()
              ? new LangchainConversationModel(
                  onboarding.model(),
                  machine,
                  new RedisChatMemoryStore(redis, onboarding.stateTtl()))
              : null;
      Conversations conversations =
          new Conversations(
              machine,
              store,
              lock,
              new MessageLimit(redis, onboarding.messagesPerMinute(), Clock.systemUTC()),
              events,
              model,
              new Checkouts(
                  new SignupClient(onboarding.apiUrl(), onboarding.internalToken()),
                  machine,
                  store),
              owners);
      EventBus bus = new EventBus(redis);
      opened.add(
          new ProgressFollower(
                  bus,
                  store,
                  lock,
                  events,
                  new BoxStore(connections.database(), secrets),
                  new SignupFollowUps(redis, bus))
              .start());
      setupBot(settings, platform.redis(), onboarding.stateTtl(), conversations, opened);
      return HttpHost.serve(
          SERVICE,
          server,
          connections,
          routing -> routing(routing, conversations, onboarding.internalToken()),
          opened.all());
    } catch (RuntimeException e) {
      throw opened.closeAfter(e);
    }
  }

  /**
   * The Telegram transport, when {@code onboarding.telegram.token} is set. Each chat it renders
   * blocks on a Redis connection while it waits for the conversation: a pool of its own for that.
   */
  private static void setupBot(
      Settings settings,
      RedisSettings redis,
      Duration stateTtl,
      Conversations conversations,
      Opened opened) {
    SetupBotSettings telegram = SetupBotSettings.from(settings);
    if (!telegram.enabled()) {
      LOG.info("onboarding.telegram.token is empty: no setup bot, the web chat only");
      return;
    }
    Redis chats =
        opened.add(
            Redis.connect(new RedisSettings(redis.url(), redis.prefix(), SETUP_BOT_CONNECTIONS)));
    SetupBot.start(
            telegram,
            chats,
            new ConversationLog(chats, stateTtl),
            new ConversationsInput(conversations))
        .ifPresent(opened::add);
  }

  /** One HttpService per route prefix. */
  static void routing(
      HttpRouting.Builder routing, Conversations conversations, String internalToken) {
    routing.register("/conversations", new ConversationService(conversations, internalToken));
  }
}
