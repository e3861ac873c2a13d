package cloud.openclaw.proxy;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real token proxy for other modules' tests (published in this module's test-jar): its
 * configuration on loopback over the test class's PostgreSQL and Redis, forwarding to the sandbox's
 * Kimi stand-in.
 */
public final class TestTokenProxy {
  /** The internal API's service token in tests. */
  public static final String INTERNAL_TOKEN = "test-internal-token-0123456789";

  private static final AtomicLong BOT_IDS = new AtomicLong(System.nanoTime() % 1_000_000_000L);

  private TestTokenProxy() {}

  /** A new active customer on {@code plan}. */
  public static UUID activeCustomer(Database database, String plan) {
    CustomerStore customers = new CustomerStore(database);
    UUID id =
        customers
            .create(
                database.execute(),
                new NewCustomer("c" + UUID.randomUUID() + "@example.com", null, null, plan))
            .id();
    customers.setStatus(database.execute(), id, CustomerStatus.ACTIVE);
    return id;
  }

  /** A box for the customer with a bot of its own, user 42 allowed, on kimi-k2.6. */
  public static NewBox newBox(UUID customerId, BoxRuntime runtime) {
    long botId = BOT_IDS.incrementAndGet();
    return new NewBox(
        customerId,
        botId,
        "bot" + botId + "_bot",
        botId + ":secret",
        List.of(42L),
        "kimi-k2.6",
        ThinkingLevel.OFF,
        runtime);
  }

  /** Opens a 30-day billing period that began yesterday, through the proxy's internal API. */
  public static void openPeriod(TokenProxyClient proxy, UUID customerId, long allowance) {
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(1));
    proxy.openPeriod(customerId, start, start.plus(Duration.ofDays(30)), allowance);
  }

  /** Overrides for {@code ConfigLoader.load("token-proxy", ...)}; the public port is ephemeral. */
  public static Map<String, String> overrides(
      TestPostgres postgres, TestRedis redis, int sandboxPort, int internalPort) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("db.url", postgres.jdbcUrl());
    overrides.put("db.user", postgres.user());
    overrides.put("db.password", postgres.password());
    overrides.put("redis.url", redis.url());
    overrides.put("redis.prefix", redis.prefix());
    overrides.put("proxy.host", "127.0.0.1");
    overrides.put("proxy.port", "0");
    overrides.put("proxy.internal.host", "127.0.0.1");
    overrides.put("proxy.internal.port", String.valueOf(internalPort));
    overrides.put("proxy.internal.token", INTERNAL_TOKEN);
    overrides.put("proxy.upstream.base-url", "http://127.0.0.1:" + sandboxPort + "/kimi/v1");
    overrides.put("proxy.upstream.api-key", "sk-sandbox-kimi");
    return overrides;
  }

  /** A port free right now (the internal listener's port must be known before it starts). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
