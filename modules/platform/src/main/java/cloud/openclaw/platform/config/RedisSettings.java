package cloud.openclaw.platform.config;

/** Where Redis is, and the prefix every key and channel of the platform starts with. */
public record RedisSettings(String url, String prefix, int poolSize) {

  public static RedisSettings from(Settings settings) {
    String url = settings.optionalUri("redis.url", "redis", "rediss");
    if (url.isEmpty()) {
      throw new ConfigurationException("redis.url", "missing (a redis://host:6379 URL)");
    }
    return new RedisSettings(
        url, settings.string("redis.prefix"), settings.integer("redis.pool-size", 2, 1000));
  }
}
