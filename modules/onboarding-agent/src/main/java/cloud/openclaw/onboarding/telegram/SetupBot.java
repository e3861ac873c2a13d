package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.telegram.TelegramBot;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.platform.telegram.TelegramException;
import cloud.openclaw.platform.telegram.TelegramUpdate;
import cloud.openclaw.platform.telegram.TelegramUser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Telegram transport of the onboarding conversation: the setup bot reads its updates by long
 * polling (getUpdates with {@link TelegramBot#SETUP_BOT_UPDATES}) and hands each person's to their
 * conversation ({@link UpdateHandler}), and renders what the conversations say in the chats ({@link
 * ChatRenderers}). Each batch of updates is handled a person at a time in order, different people
 * at once (virtual threads), and is confirmed to Telegram (the next getUpdates' offset) only once
 * every update of it was handed over: a crash loses nothing, at worst hands an update twice.
 *
 * <p>Telegram's errors do not stop it: a 429 waits retry_after, a 5xx or no answer backs off (1 s
 * to 30 s), a 409 (another getUpdates, or a webhook on the setup bot) is logged and tried again
 * later. A 401 (the token is wrong or revoked) stops the polling with a log saying so.
 */
public final class SetupBot implements AutoCloseable {
  static final int POLL_SECONDS = 30;
  static final Duration CONFLICT_WAIT = Duration.ofSeconds(10);

  private static final Logger LOG = Logger.getLogger(SetupBot.class.getName());

  private final TelegramBot bot;
  private final UpdateHandler handler;
  private final ChatRenderers renderers;
  private volatile boolean closed;
  private volatile boolean stopped;
  private Thread poller;

  SetupBot(TelegramBot bot, UpdateHandler handler, ChatRenderers renderers) {
    this.bot = bot;
    this.handler = handler;
    this.renderers = renderers;
  }

  /**
   * Starts the setup bot when {@code settings} has a token (else empty: the transport is off).
   *
   * @param redis the chats' cursors and state
   * @param log the conversations' events; each rendered chat blocks a connection of its Redis
   * @param conversation where the people's inputs go
   */
  public static Optional<SetupBot> start(
      SetupBotSettings settings, Redis redis, ConversationLog log, ConversationInput conversation) {
    if (!settings.enabled()) {
      LOG.info("setup bot: onboarding.telegram.token is empty; the Telegram transport is off");
      return Optional.empty();
    }
    TelegramBot bot = new TelegramBots(settings.apiRoot()).bot(settings.token());
    TelegramChats chats = new TelegramChats(redis);
    ChatRenderers renderers =
        new ChatRenderers(log, chats, new ChatRenderer(bot, chats), settings.idleTimeout());
    SetupBot setupBot =
        new SetupBot(bot, new UpdateHandler(bot, conversation, chats, renderers), renderers);
    setupBot.start();
    return Optional.of(setupBot);
  }

  void start() {
    renderers.start();
    poller = Thread.ofVirtual().name("tg-setup-bot").start(this::pollForever);
  }

  /** Whether it stopped polling for good (Telegram refused its token). */
  public boolean stopped() {
    return stopped;
  }

  private void pollForever() {
    long offset = 0;
    Duration backoff = TelegramRetry.FIRST_BACKOFF;
    while (!closed) {
      try {
        List<TelegramUpdate> updates =
            bot.getUpdates(offset, POLL_SECONDS, TelegramBot.SETUP_BOT_UPDATES);
        backoff = TelegramRetry.FIRST_BACKOFF;
        if (!updates.isEmpty()) {
          handle(updates);
          offset = updates.getLast().updateId() + 1;
        }
      } catch (TelegramException.TokenRefused e) {
        LOG.severe(
            "setup bot: Telegram refuses the setup bot's token ("
                + e.errorCode()
                + " "
                + e.description()
                + "); onboarding by Telegram stops. Check onboarding.telegram.token.");
        stopped = true;
        return;
      } catch (TelegramException.Conflict e) {
        LOG.warning(
            "setup bot: another client reads the setup bot's updates, or it has a webhook ("
                + e.description()
                + "); trying again in "
                + CONFLICT_WAIT.toSeconds()
                + " s");
        if (!pause(CONFLICT_WAIT)) {
          return;
        }
      } catch (TelegramException e) {
        if (closed) {
          return;
        }
        Duration wait = e.retryAfter().orElse(backoff);
        backoff = TelegramRetry.next(backoff);
        LOG.log(
            e.retryAfter().isPresent() ? Level.INFO : Level.WARNING,
            "setup bot: getUpdates failed (" + e.getMessage() + "); trying again in " + wait);
        if (!pause(wait)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Each person's updates in order, people at once; returns when all were handed over. */
  private void handle(List<TelegramUpdate> updates) throws InterruptedException {
    Map<Long, List<TelegramUpdate>> byPerson = new LinkedHashMap<>();
    for (TelegramUpdate update : updates) {
      TelegramUser person = UpdateHandler.sender(update);
      if (person != null) {
        byPerson.computeIfAbsent(person.id(), id -> new ArrayList<>()).add(update);
      }
    }
    try (ExecutorService people = Executors.newVirtualThreadPerTaskExecutor()) {
      byPerson.forEach((person, theirs) -> people.submit(() -> handleInOrder(theirs)));
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedException();
    }
  }

  private void handleInOrder(List<TelegramUpdate> updates) {
    for (TelegramUpdate update : updates) {
      try {
        handler.handle(update);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "setup bot: update " + update.updateId() + " failed", e);
      }
    }
  }

  private boolean pause(Duration wait) {
    try {
      Thread.sleep(wait);
      return !closed;
    } catch (InterruptedException e) {
      return false;
    }
  }

  /** Stops polling and rendering; what was not confirmed comes again to the next start. */
  @Override
  public void close() {
    closed = true;
    if (poller != null) {
      poller.interrupt();
      try {
        poller.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    renderers.close();
  }
}
