package cloud.openclaw.proxy;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.sandbox.Main;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The real pieces an IT of any service stands up first: the test class's migrated database, its
 * Redis, and the sandbox on free ports.
 *
 * <p>They live in the token-proxy test-jar because it is the lowest module that sees platform,
 * testkit and sandbox together: testkit cannot depend on platform (platform's own tests use
 * testkit), platform and sandbox do not know each other, and token-proxy depends on neither api,
 * operator nor billing-worker, so all of them can take this jar (with {@link TestTokenProxy}) as a
 * test dependency.
 */
public final class TestServices {
  private TestServices() {}

  /** The test class's fresh database with the schema applied, a pool of 4 connections. */
  public static Database database(TestPostgres postgres) {
    return database(postgres, 4);
  }

  /** The test class's fresh database with the schema applied. */
  public static Database database(TestPostgres postgres, int poolSize) {
    Database database =
        Database.connect(
            new DatabaseSettings(
                postgres.jdbcUrl(), postgres.user(), postgres.password(), poolSize));
    Migrations.apply(database.dataSource());
    return database;
  }

  /** The test class's Redis under its own key prefix, a pool of 8 connections. */
  public static Redis redis(TestRedis redis) {
    return redis(redis, 8);
  }

  /** The test class's Redis under its own key prefix. */
  public static Redis redis(TestRedis redis, int poolSize) {
    return Redis.connect(new RedisSettings(redis.url(), redis.prefix(), poolSize));
  }

  /** The sandbox on loopback, its HTTP and SMTP ports free ones. */
  public static Sandbox sandbox() {
    return sandbox(Map.of());
  }

  /** The sandbox on loopback, its HTTP and SMTP ports free ones, with {@code extra} settings. */
  public static Sandbox sandbox(Map<String, String> extra) {
    return sandbox(extra, Clock.systemUTC());
  }

  /** Like {@link #sandbox(Map)}, its Stripe stand-in telling the time by {@code clock}. */
  public static Sandbox sandbox(Map<String, String> extra, Clock clock) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("sandbox.host", "127.0.0.1");
    overrides.put("sandbox.port", "0");
    overrides.put("sandbox.smtp.port", "0");
    overrides.putAll(extra);
    return Main.startSandbox(ConfigLoader.load("sandbox", Map.of(), overrides), clock);
  }

  /** A port free right now, for a listener whose port must be known before it starts. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Closes each that is not null (a start that failed half way leaves some null), in order; the
   * next still closes after one fails, and the first failure is thrown at the end.
   */
  public static void closeAll(AutoCloseable... resources) {
    RuntimeException failure = null;
    for (AutoCloseable resource : resources) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        if (failure == null) {
          failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
