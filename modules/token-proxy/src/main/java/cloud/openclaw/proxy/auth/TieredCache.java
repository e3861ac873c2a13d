package cloud.openclaw.proxy.auth;

import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import redis.clients.jedis.params.SetParams;

/**
 * A read-through cache in three tiers: this replica's memory (short TTL), Redis (shared by the
 * replicas), then the loader (PostgreSQL). A change is written over the Redis entry and announced
 * on a pub/sub channel, which makes every replica drop its copy at once.
 *
 * <p>Fills use SET NX and refreshes plain SET: a replica that read the old value from PostgreSQL
 * just before a change cannot put it back over the new one. A replica still loading when the
 * announcement arrives has its fresh copy dropped as soon as the load ends (Caffeine waits for an
 * in-flight load before invalidating it).
 *
 * <p>A replica whose subscription is down (Redis restarted, its connection was cut) would not hear
 * announcements: meanwhile it reads past its memory, and each time it is subscribed again it
 * forgets everything it held, since it may have missed a change to any of it.
 */
final class TieredCache<V> implements AutoCloseable {
  private final String name;
  private final Redis redis;
  private final EventBus bus;
  private final Duration sharedTtl;
  private final Function<String, Optional<V>> loader;
  private final Cache<String, Optional<V>> local;
  private final ObjectReader reader;
  private final EventBus.Subscription invalidations;

  TieredCache(
      String name,
      Redis redis,
      EventBus bus,
      Class<V> type,
      Duration localTtl,
      Function<String, Optional<V>> loader) {
    this.name = name;
    this.redis = redis;
    this.bus = bus;
    this.sharedTtl = localTtl.multipliedBy(10);
    this.loader = loader;
    this.reader =
        Json.MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    this.local = Caffeine.newBuilder().expireAfterWrite(localTtl).maximumSize(100_000).build();
    this.invalidations = bus.subscribe(channel(), local::invalidate, local::invalidateAll);
  }

  Optional<V> get(String key) {
    if (!invalidations.live()) {
      return loadShared(key);
    }
    return local.get(key, this::loadShared);
  }

  /**
   * After a change in PostgreSQL: reloads the value and writes it over the shared entry (a plain
   * SET, which no concurrent fill can undo), then every replica drops its copy.
   */
  void refresh(String key) {
    Optional<V> current = loader.apply(key);
    if (current.isPresent()) {
      redis
          .client()
          .set(redisKey(key), write(current.get()), SetParams.setParams().px(sharedTtl.toMillis()));
    } else {
      redis.client().del(redisKey(key));
    }
    announce(key);
  }

  private void announce(String key) {
    local.invalidate(key);
    bus.publish(channel(), key);
  }

  private Optional<V> loadShared(String key) {
    String cached = redis.client().get(redisKey(key));
    if (cached != null) {
      Optional<V> value = read(cached);
      if (value.isPresent()) {
        return value;
      }
    }
    Optional<V> loaded = loader.apply(key);
    loaded.ifPresent(
        value ->
            redis
                .client()
                .set(
                    redisKey(key),
                    write(value),
                    SetParams.setParams().nx().px(sharedTtl.toMillis())));
    return loaded;
  }

  private String channel() {
    return "cache:" + name + ":invalidate";
  }

  private String redisKey(String key) {
    return redis.key("cache", name, key);
  }

  private String write(V value) {
    return Json.write(value);
  }

  // Another version of the proxy may have written the entry (a rolling deploy): fields this one
  // does not know are skipped, and an entry it cannot read at all is loaded afresh.
  private Optional<V> read(String json) {
    try {
      return Optional.of(reader.readValue(json));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    invalidations.close();
  }
}
