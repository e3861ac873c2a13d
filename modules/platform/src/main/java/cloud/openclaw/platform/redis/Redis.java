package cloud.openclaw.platform.redis;

import cloud.openclaw.platform.config.RedisSettings;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.RedisClient;

/**
 * Redis for one service: a pooled Jedis 8 client, the prefix that every key and channel of the
 * platform carries (so one Redis can hold several installs, and each test class its own keyspace),
 * and the long-lived connections held on it (subscriptions), whose state the health check reports.
 */
public final class Redis implements AutoCloseable {
  private final RedisClient client;
  private final String prefix;
  private final Set<Held> held = ConcurrentHashMap.newKeySet();

  /**
   * A connection held open for a long time, such as a subscription, that may be down for a while.
   */
  public interface Held {
    /** What it is for, as the health check names it. */
    String name();

    /** True while it works (a subscription: subscribed). */
    boolean live();
  }

  private Redis(RedisClient client, String prefix) {
    this.client = client;
    this.prefix = prefix;
  }

  public static Redis connect(RedisSettings settings) {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(settings.poolSize());
    pool.setMaxIdle(settings.poolSize());
    pool.setMaxWait(Duration.ofSeconds(5));
    // Idle connections are PINGed every few seconds (not only every 30 s, Jedis's default), so
    // after
    // a Redis restart few requests meet a dead pooled connection (each fails once, then is
    // dropped).
    pool.setTestWhileIdle(true);
    pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(5));
    RedisClient client = RedisClient.builder().fromURI(settings.url()).poolConfig(pool).build();
    return new Redis(client, settings.prefix());
  }

  public RedisClient client() {
    return client;
  }

  /** The full name of a key or channel: the prefix, then the parts joined by ':'. */
  public String key(String... parts) {
    return prefix + String.join(":", parts);
  }

  /** True when Redis answers PING: the health check. */
  public boolean ping() {
    try {
      return "PONG".equalsIgnoreCase(client.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Reports {@code connection} in {@link #heldLive()} until {@link #release(Held)}. */
  public void hold(Held connection) {
    held.add(connection);
  }

  public void release(Held connection) {
    held.remove(connection);
  }

  /** True when every held connection is live (none held: true): the subscriptions' health. */
  public boolean heldLive() {
    return held.stream().allMatch(Held::live);
  }

  /** The names of the held connections that are down now. */
  public List<String> heldDown() {
    return held.stream().filter(h -> !h.live()).map(Held::name).sorted().toList();
  }

  @Override
  public void close() {
    client.close();
  }
}
