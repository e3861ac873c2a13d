package cloud.openclaw.platform.events;

import cloud.openclaw.platform.redis.Redis;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.JedisPubSub;

/**
 * Live events over Redis pub/sub: operator progress for the web UI, cache invalidations between
 * replicas. Fire and forget by design: whoever listens now hears it, nobody later does. Anything
 * that must not be lost goes through the job queue instead.
 */
public final class EventBus {
  private static final Logger LOG = Logger.getLogger(EventBus.class.getName());

  private final Redis redis;

  public EventBus(Redis redis) {
    this.redis = redis;
  }

  /** The channel of one customer's live events (progress of their box). */
  public static String customerChannel(UUID customerId) {
    return "events:customer:" + customerId;
  }

  /** Publishes {@code message} and returns how many subscribers received it. */
  public long publish(String channel, String message) {
    return redis.client().publish(redis.key(channel), message);
  }

  /**
   * Delivers each message on {@code channel} to {@code listener} on a virtual thread of its own,
   * from the moment this returns until the subscription is closed.
   */
  public Subscription subscribe(String channel, Consumer<String> listener) {
    CountDownLatch subscribed = new CountDownLatch(1);
    JedisPubSub pubSub =
        new JedisPubSub() {
          @Override
          public void onSubscribe(String name, int count) {
            subscribed.countDown();
          }

          @Override
          public void onMessage(String name, String message) {
            try {
              listener.accept(message);
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "event listener failed on " + name, e);
            }
          }
        };
    String key = redis.key(channel);
    Thread thread =
        Thread.ofVirtual()
            .name("events-" + channel)
            .start(
                () -> {
                  try {
                    redis.client().subscribe(pubSub, key);
                  } catch (RuntimeException e) {
                    subscribed.countDown();
                    if (pubSub.isSubscribed()) {
                      LOG.log(Level.WARNING, "subscription to " + channel + " ended", e);
                    }
                  }
                });
    try {
      if (!subscribed.await(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("could not subscribe to " + channel);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while subscribing to " + channel, e);
    }
    return new Subscription(pubSub, thread);
  }

  /** An open subscription; closing it stops delivery and frees its connection. */
  public static final class Subscription implements AutoCloseable {
    private final JedisPubSub pubSub;
    private final Thread thread;

    Subscription(JedisPubSub pubSub, Thread thread) {
      this.pubSub = pubSub;
      this.thread = thread;
    }

    @Override
    public void close() {
      if (pubSub.isSubscribed()) {
        pubSub.unsubscribe();
      }
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
