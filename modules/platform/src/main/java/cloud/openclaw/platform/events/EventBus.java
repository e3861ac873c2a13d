package cloud.openclaw.platform.events;

import cloud.openclaw.platform.redis.Redis;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Live events over Redis pub/sub: operator progress for the web UI, cache invalidations between
 * replicas. Fire and forget by design: whoever listens now hears it, nobody later does. Anything
 * that must not be lost goes through the job queue instead.
 *
 * <p>A subscription outlives its connection: when Redis restarts, fails over or drops it, it
 * subscribes again (with backoff) and tells its owner, who must assume it missed messages meanwhile
 * (a cache drops what it holds). While it is down the service's health says so.
 */
public final class EventBus {
  private static final String CUSTOMER_CHANNELS = "events:customer:";

  private final Redis redis;

  public EventBus(Redis redis) {
    this.redis = redis;
  }

  /** The channel of one customer's live events (progress of their box). */
  public static String customerChannel(UUID customerId) {
    return CUSTOMER_CHANNELS + customerId;
  }

  /** The part of every customer's channel before the customer's id. */
  public static String customerChannelPrefix() {
    return CUSTOMER_CHANNELS;
  }

  /** Publishes {@code message} and returns how many subscribers received it. */
  public long publish(String channel, String message) {
    return redis.client().publish(redis.key(channel), message);
  }

  /**
   * Delivers each message on {@code channel} to {@code listener}, in order, on the subscription's
   * own virtual thread, until the subscription is closed. Normally subscribed when this returns (it
   * waits up to 5 s; if Redis cannot be reached it keeps trying).
   */
  public Subscription subscribe(String channel, Consumer<String> listener) {
    return subscribe(channel, listener, () -> {});
  }

  /**
   * Like {@link #subscribe(String, Consumer)}; {@code subscribed} runs each time the subscription
   * is made, the first time and after every loss of its connection, before any message of the new
   * connection is delivered. Whatever was published while it was down is lost: this is where the
   * owner makes up for it (a cache forgets what it holds).
   */
  public Subscription subscribe(String channel, Consumer<String> listener, Runnable subscribed) {
    return new Subscription(
        new Subscriber(
                redis,
                channel,
                redis.key(channel),
                false,
                (name, message) -> listener.accept(message),
                subscribed)
            .start());
  }

  /**
   * Every channel that starts with {@code channelPrefix} (one pattern subscription, however many
   * channels): {@code listener} gets the channel's name (without the Redis key prefix) and the
   * message. Re-made like {@link #subscribe(String, Consumer, Runnable)}.
   */
  public Subscription subscribeAll(
      String channelPrefix, BiConsumer<String, String> listener, Runnable subscribed) {
    String keyPrefix = redis.key(channelPrefix);
    int strip = redis.key("").length();
    return new Subscription(
        new Subscriber(
                redis,
                channelPrefix + "*",
                escapeGlob(keyPrefix) + "*",
                true,
                (channel, message) -> listener.accept(channel.substring(strip), message),
                subscribed)
            .start());
  }

  private static String escapeGlob(String text) {
    return text.replaceAll("([\\\\*?\\[\\]])", "\\\\$1");
  }

  /** An open subscription; closing it stops delivery and frees its connection. */
  public static final class Subscription implements AutoCloseable {
    private final Subscriber subscriber;

    Subscription(Subscriber subscriber) {
      this.subscriber = subscriber;
    }

    /** True while subscribed; false while its connection is being made again. */
    public boolean live() {
      return subscriber.live();
    }

    /** The name its connection carries in Redis's CLIENT LIST. */
    public String clientName() {
      return subscriber.clientName();
    }

    @Override
    public void close() {
      subscriber.close();
    }
  }
}
