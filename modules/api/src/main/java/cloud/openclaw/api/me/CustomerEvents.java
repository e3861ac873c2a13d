package cloud.openclaw.api.me;

import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.JedisPubSub;

/**
 * Every customer's live events in this process, through one Redis pattern subscription fanned out
 * to the open event streams: a connection per stream would exhaust the Redis pool with a few dozen
 * dashboards open. The subscription is re-made when Redis drops it (events meanwhile are lost,
 * which live events may be).
 */
public final class CustomerEvents implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CustomerEvents.class.getName());
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final Redis redis;
  private final String channelPrefix;
  private final Map<UUID, Set<Consumer<String>>> listeners = new ConcurrentHashMap<>();
  private final JedisPubSub pubSub;
  private final Thread thread;
  private volatile boolean closed;

  public CustomerEvents(Redis redis) {
    this.redis = redis;
    // The channel of a customer is a fixed text followed by the id (EventBus names it).
    String sample = EventBus.customerChannel(new UUID(0, 0));
    this.channelPrefix = redis.key(sample.substring(0, sample.length() - 36));
    this.pubSub =
        new JedisPubSub() {
          @Override
          public void onPMessage(String pattern, String channel, String message) {
            deliver(channel, message);
          }
        };
    this.thread = Thread.ofVirtual().name("customer-events").start(this::run);
  }

  /** An open listener; closing it stops delivery. */
  public interface Listening extends AutoCloseable {
    @Override
    void close();
  }

  /** Delivers the customer's events to {@code listener} until the returned handle is closed. */
  public Listening listen(UUID customerId, Consumer<String> listener) {
    listeners.computeIfAbsent(customerId, id -> ConcurrentHashMap.newKeySet()).add(listener);
    return () ->
        listeners.computeIfPresent(
            customerId,
            (id, set) -> {
              set.remove(listener);
              return set.isEmpty() ? null : set;
            });
  }

  private void run() {
    String pattern = escapeGlob(channelPrefix) + "*";
    while (!closed) {
      try {
        redis.client().psubscribe(pubSub, pattern);
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.log(Level.WARNING, "live events subscription lost; subscribing again", e);
      }
      try {
        Thread.sleep(RETRY);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void deliver(String channel, String message) {
    UUID customerId;
    try {
      customerId = UUID.fromString(channel.substring(channelPrefix.length()));
    } catch (RuntimeException e) {
      return;
    }
    for (Consumer<String> listener : listeners.getOrDefault(customerId, Set.of())) {
      try {
        listener.accept(message);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a live event listener failed", e);
      }
    }
  }

  /** True once the pattern subscription is in place (tests wait for it). */
  public boolean isSubscribed() {
    return pubSub.isSubscribed();
  }

  private static String escapeGlob(String text) {
    return text.replaceAll("([\\\\*?\\[\\]])", "\\\\$1");
  }

  @Override
  public void close() {
    closed = true;
    if (pubSub.isSubscribed()) {
      pubSub.punsubscribe();
    }
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
