package cloud.openclaw.platform.redis;

import cloud.openclaw.platform.config.RedisSettings;
import java.time.Duration;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.RedisClient;

/**
 * Redis for one service: a pooled Jedis 8 client, and the prefix that every key and channel of the
 * platform carries (so one Redis can hold several installs, and each test class its own keyspace).
 */
public final class Redis implements AutoCloseable {
  private final RedisClient client;
  private final String prefix;

  private Redis(RedisClient client, String prefix) {
    this.client = client;
    this.prefix = prefix;
  }

  public static Redis connect(RedisSettings settings) {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(settings.poolSize());
    pool.setMaxIdle(settings.poolSize());
    pool.setMaxWait(Duration.ofSeconds(5));
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

  @Override
  public void close() {
    client.close();
  }
}
