package cloud.openclaw.api.me;

import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.redis.Redis;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every customer's live events in this process, through one Redis pattern subscription fanned out
 * to the open event streams: a connection per stream would exhaust the Redis pool with a few dozen
 * dashboards open. The subscription is the event bus's, so it is made again whenever Redis drops it
 * (events meanwhile are lost, which live events may be) and shows in the service's health.
 */
public final class CustomerEvents implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CustomerEvents.class.getName());

  private final Map<UUID, Set<Consumer<String>>> listeners = new ConcurrentHashMap<>();
  private final EventBus.Subscription subscription;

  public CustomerEvents(Redis redis) {
    this.subscription =
        new EventBus(redis).subscribeAll(EventBus.customerChannelPrefix(), this::deliver, () -> {});
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

  private void deliver(String channel, String message) {
    UUID customerId;
    try {
      customerId = UUID.fromString(channel.substring(EventBus.customerChannelPrefix().length()));
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

  /** True while the pattern subscription is in place (tests wait for it). */
  public boolean isSubscribed() {
    return subscription.live();
  }

  @Override
  public void close() {
    subscription.close();
  }
}
