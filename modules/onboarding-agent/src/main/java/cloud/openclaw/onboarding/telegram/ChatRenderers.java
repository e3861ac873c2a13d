package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.telegram.TelegramException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One virtual thread per active Telegram conversation, blocking on its {@link ConversationLog} from
 * the chat's cursor and rendering what comes ({@link ChatRenderer}). A thread ends after the idle
 * timeout; the person's next input ({@link #wake}) starts it again, and so does the sweep (at start
 * and every {@link #SWEEP}) for any conversation of the active set with events after its cursor:
 * after a restart, and when the conversation speaks without being spoken to (payment, progress).
 * Each blocked thread holds a Redis connection: give the log a pool sized for the conversations
 * expected at once.
 */
final class ChatRenderers implements AutoCloseable {
  static final Duration SWEEP = Duration.ofSeconds(30);
  static final Duration STOP_WAIT = Duration.ofSeconds(2);

  private static final Logger LOG = Logger.getLogger(ChatRenderers.class.getName());
  private static final Duration READ_BLOCK = Duration.ofSeconds(5);
  private static final int BATCH = 100;

  private final ConversationLog log;
  private final TelegramChats chats;
  private final ChatRenderer renderer;
  private final Duration idleTimeout;
  private final Duration readBlock;
  private final Map<Long, Thread> running = new ConcurrentHashMap<>();
  // threads blocked on the log: a stop interrupts these only, never one that is sending
  private final Set<Thread> reading = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private volatile boolean refused; // Telegram refuses the setup bot's token: nothing renders
  private Thread sweeper;

  ChatRenderers(
      ConversationLog log, TelegramChats chats, ChatRenderer renderer, Duration idleTimeout) {
    this.log = log;
    this.chats = chats;
    this.renderer = renderer;
    this.idleTimeout = idleTimeout;
    this.readBlock = idleTimeout.compareTo(READ_BLOCK) < 0 ? idleTimeout : READ_BLOCK;
  }

  /** Resumes the conversations that have events to render, now and every {@link #SWEEP}. */
  void start() {
    sweeper = Thread.ofVirtual().name("tg-render-sweep").start(this::sweepForever);
  }

  /** Person {@code userId}'s conversation may say something: its renderer runs. */
  void wake(long userId) {
    if (closed || refused) {
      return;
    }
    chats.activate(userId);
    Thread[] made = new Thread[1];
    running.computeIfAbsent(
        userId,
        id -> made[0] = Thread.ofVirtual().name("tg-render-" + id).unstarted(() -> run(id)));
    if (made[0] != null) {
      made[0].start();
    }
  }

  boolean isRunning(long userId) {
    return running.containsKey(userId);
  }

  private void sweepForever() {
    while (!closed) {
      try {
        sweep();
        Thread.sleep(SWEEP);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "setup bot: resuming conversations failed; trying again", e);
        try {
          Thread.sleep(SWEEP);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  /** Starts the renderer of every active conversation with events after its cursor. */
  void sweep() {
    for (long userId : chats.active()) {
      if (closed) {
        return;
      }
      if (running.containsKey(userId)) {
        continue;
      }
      String conversation = TelegramChats.conversationKey(userId);
      if (log.last(conversation).equals("0")) {
        chats.forget(userId); // the conversation expired
      } else if (hasNew(userId)) {
        wake(userId);
      }
    }
  }

  private boolean hasNew(long userId) {
    return !log.read(TelegramChats.conversationKey(userId), chats.cursor(userId), 1, null)
        .isEmpty();
  }

  private void run(long userId) {
    String conversation = TelegramChats.conversationKey(userId);
    try {
      String cursor = chats.cursor(userId);
      long idleSince = System.nanoTime();
      Duration backoff = TelegramRetry.FIRST_BACKOFF;
      while (!closed) {
        try {
          List<ConversationLog.Entry> entries = read(conversation, cursor);
          if (entries == null) {
            return;
          }
          if (entries.isEmpty()) {
            if (System.nanoTime() - idleSince >= idleTimeout.toNanos()) {
              return;
            }
            continue;
          }
          renderer.render(userId, entries, () -> closed);
          cursor = chats.cursor(userId);
          idleSince = System.nanoTime();
          backoff = TelegramRetry.FIRST_BACKOFF;
        } catch (TelegramException.TokenRefused e) {
          if (!refused) {
            refused = true;
            LOG.severe("setup bot: Telegram refuses the setup bot's token; no chat is rendered");
          }
          return;
        } catch (RuntimeException e) {
          if (closed) {
            return;
          }
          LOG.log(Level.WARNING, "setup bot: rendering chat " + userId + " failed; retrying", e);
          Thread.sleep(backoff);
          backoff = TelegramRetry.next(backoff);
          cursor = chats.cursor(userId);
        }
      }
    } catch (InterruptedException e) {
      // stopping
    } finally {
      running.remove(userId, Thread.currentThread());
      if (!closed && !refused) {
        restartIfSpoken(userId);
      }
    }
  }

  /** The events after {@code cursor} (waiting a while for them), or null when stopping. */
  private List<ConversationLog.Entry> read(String conversation, String cursor) {
    Thread me = Thread.currentThread();
    reading.add(me);
    try {
      return closed ? null : log.read(conversation, cursor, BATCH, readBlock);
    } finally {
      reading.remove(me);
    }
  }

  /** An event that came as the thread went idle would wait for the sweep: not this one. */
  private void restartIfSpoken(long userId) {
    try {
      if (hasNew(userId)) {
        wake(userId);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "setup bot: the sweep will resume chat " + userId, e);
    }
  }

  /**
   * Stops every renderer: those waiting on the log at once, those sending after the event at hand
   * (its cursor saved), or after {@link #STOP_WAIT} (stuck retrying) by interruption.
   */
  @Override
  public void close() {
    closed = true;
    if (sweeper != null) {
      sweeper.interrupt();
    }
    List.copyOf(reading).forEach(Thread::interrupt);
    try {
      for (Thread thread : List.copyOf(running.values())) {
        if (!thread.join(STOP_WAIT)) {
          thread.interrupt();
          thread.join(STOP_WAIT);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
