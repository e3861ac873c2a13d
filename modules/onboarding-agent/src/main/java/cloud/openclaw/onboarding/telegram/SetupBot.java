package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.telegram.TelegramBot;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.platform.telegram.TelegramException;
import cloud.openclaw.platform.telegram.TelegramUpdate;
import cloud.openclaw.platform.telegram.TelegramUser;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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

  /** How often Telegram is asked for new updates while some wait to be handed. */
  static final Duration BUSY_POLL = Duration.ofMillis(250);

  private static final Logger LOG = Logger.getLogger(SetupBot.class.getName());

  private final TelegramBot bot;
  private final UpdateHandler handler;
  private final ChatRenderers renderers;
  private final NavigableSet<Long> inFlight = new ConcurrentSkipListSet<>();
  private final Semaphore handed = new Semaphore(0);
  private final ReentrantLock lanesLock = new ReentrantLock();
  private final Map<Long, Deque<TelegramUpdate>> lanes = new HashMap<>(); // guarded by lanesLock
  private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
  private long next; // the id after the newest update seen; the poller's
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
    Duration backoff = TelegramRetry.FIRST_BACKOFF;
    while (!closed) {
      try {
        Long lowest = inFlight.ceiling(Long.MIN_VALUE);
        // the lowest update not yet handed is where Telegram's confirmation stops
        long offset = lowest == null ? next : lowest;
        List<TelegramUpdate> updates =
            bot.getUpdates(
                offset, lowest == null ? POLL_SECONDS : 0, TelegramBot.SETUP_BOT_UPDATES);
        backoff = TelegramRetry.FIRST_BACKOFF;
        boolean fresh = false;
        for (TelegramUpdate update : updates) {
          if (update.updateId() >= next) {
            fresh = true;
            next = update.updateId() + 1;
            dispatch(update);
          }
        }
        if (!fresh && lowest != null) {
          // Telegram answers at once while updates wait unconfirmed: wait for one to be handed
          handed.tryAcquire(BUSY_POLL.toMillis(), TimeUnit.MILLISECONDS);
          handed.drainPermits();
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

  /** Queues the update on its sender's lane (started when it has none running). */
  private void dispatch(TelegramUpdate update) {
    TelegramUser person = UpdateHandler.sender(update);
    if (person == null) {
      return; // nothing to hand: confirmed with the next poll
    }
    inFlight.add(update.updateId());
    lanesLock.lock();
    try {
      Deque<TelegramUpdate> lane = lanes.get(person.id());
      if (lane == null) {
        lane = new ArrayDeque<>();
        lane.add(update);
        lanes.put(person.id(), lane);
        Thread worker =
            Thread.ofVirtual().name("tg-person-" + person.id()).unstarted(() -> drain(person.id()));
        workers.add(worker);
        worker.start();
      } else {
        lane.add(update);
      }
    } finally {
      lanesLock.unlock();
    }
  }

  /** Hands one person's updates in order until their lane is empty. */
  private void drain(long person) {
    try {
      while (!closed) {
        TelegramUpdate update;
        lanesLock.lock();
        try {
          update = lanes.get(person).peekFirst();
          if (update == null) {
            lanes.remove(person);
            return;
          }
        } finally {
          lanesLock.unlock();
        }
        try {
          handler.handle(update);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "setup bot: update " + update.updateId() + " failed", e);
        }
        lanesLock.lock();
        try {
          lanes.get(person).pollFirst();
        } finally {
          lanesLock.unlock();
        }
        inFlight.remove(update.updateId());
        handed.release();
      }
    } catch (InterruptedException e) {
      // stopping: the update stays unconfirmed and comes again to the next start
    } finally {
      workers.remove(Thread.currentThread());
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

  /**
   * Stops polling, handing and rendering; what was not handed comes again to the next start, what
   * was not rendered is rendered then.
   */
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
    // a lane hands the update at hand and stops; one the conversation holds is interrupted
    try {
      for (Thread worker : List.copyOf(workers)) {
        if (!worker.join(ChatRenderers.STOP_WAIT)) {
          worker.interrupt();
          worker.join(ChatRenderers.STOP_WAIT);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    renderers.close();
  }
}
