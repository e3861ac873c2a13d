package cloud.openclaw.platform.config;

import java.time.Duration;

/**
 * Where PostgreSQL is, how many connections a service may hold, and how long a request waits for
 * one before it is answered 503 (PostgreSQL down, or every connection busy).
 */
public record DatabaseSettings(
    String url, String user, String password, int poolSize, Duration connectionTimeout) {
  /** What {@code db.connection-timeout} defaults to. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  public DatabaseSettings(String url, String user, String password, int poolSize) {
    this(url, user, password, poolSize, DEFAULT_CONNECTION_TIMEOUT);
  }

  public static DatabaseSettings from(Settings settings) {
    String url = settings.optionalUri("db.url", "postgresql");
    if (url.isEmpty()) {
      throw new ConfigurationException("db.url", "missing (a jdbc:postgresql://host:5432/db URL)");
    }
    if (!url.startsWith("jdbc:")) {
      throw new ConfigurationException("db.url", "'" + url + "' must be a jdbc:postgresql:// URL");
    }
    return new DatabaseSettings(
        url,
        settings.string("db.user"),
        settings.optionalString("db.password"),
        settings.integer("db.pool-size", 1, 200),
        connectionTimeout(settings));
  }

  private static Duration connectionTimeout(Settings settings) {
    Duration timeout = settings.duration("db.connection-timeout");
    // HikariCP's own floor.
    if (timeout.toMillis() < 250) {
      throw new ConfigurationException("db.connection-timeout", "must be at least 250 ms");
    }
    return timeout;
  }
}
