package cloud.openclaw.platform.db;

import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.http.HealthChecks;
import cloud.openclaw.platform.redis.Redis;
import io.helidon.health.HealthCheck;
import java.util.List;
import java.util.Map;

/**
 * A service's connections to PostgreSQL (schema migrated) and Redis, opened together at start and
 * closed together at stop.
 */
public record Connections(Database database, Redis redis) implements AutoCloseable {

  /** Connects both and applies pending migrations (Flyway's lock makes concurrent starts safe). */
  public static Connections open(PlatformSettings settings) {
    Database database = Database.connect(settings.database());
    try {
      Migrations.apply(database.dataSource());
      return new Connections(database, Redis.connect(settings.redis()));
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  public List<HealthCheck> healthChecks() {
    return checks(HealthChecks.of("postgresql", database::ping));
  }

  /**
   * For a service that goes on serving while PostgreSQL is down (the token proxy, from its caches):
   * PostgreSQL is reported ({@code reachable}) but does not make the service unready.
   */
  public List<HealthCheck> healthChecksServingWithoutDatabase() {
    return checks(HealthChecks.reported("postgresql", database::ping));
  }

  private List<HealthCheck> checks(HealthCheck postgresql) {
    return List.of(
        postgresql,
        HealthChecks.of("redis", redis::ping),
        // Down while a subscription (cache invalidations, live events) is being re-made.
        HealthChecks.of(
            "redis-subscriptions", redis::heldLive, () -> Map.of("down", redis.heldDown())));
  }

  @Override
  public void close() {
    redis.close();
    database.close();
  }
}
