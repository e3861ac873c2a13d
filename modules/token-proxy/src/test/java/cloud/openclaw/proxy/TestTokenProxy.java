package cloud.openclaw.proxy;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.net.URI;
import java.time.Clock;
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
    return newBox(customerId, runtime, botId, "bot" + botId + "_bot", botId + ":secret");
  }

  /** A box for the customer with this bot (a sandbox's, say), user 42 allowed, on kimi-k2.6. */
  public static NewBox newBox(
      UUID customerId, BoxRuntime runtime, long botId, String username, String token) {
    return new NewBox(
        customerId, botId, username, token, List.of(42L), "kimi-k2.6", ThinkingLevel.OFF, runtime);
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

  /**
   * A token proxy started over the test class's PostgreSQL and Redis, forwarding to the sandbox on
   * {@code sandboxPort}, its internal API on a free port.
   */
  public static Started start(TestPostgres postgres, TestRedis redis, int sandboxPort) {
    return start(postgres, redis, sandboxPort, Map.of());
  }

  /** Like {@link #start(TestPostgres, TestRedis, int)}, with {@code extra} settings on top. */
  public static Started start(
      TestPostgres postgres, TestRedis redis, int sandboxPort, Map<String, String> extra) {
    return start(postgres, redis, sandboxPort, extra, Clock.systemUTC());
  }

  /** Like {@link #start(TestPostgres, TestRedis, int, Map)}, telling the time by {@code clock}. */
  public static Started start(
      TestPostgres postgres,
      TestRedis redis,
      int sandboxPort,
      Map<String, String> extra,
      Clock clock) {
    Map<String, String> overrides =
        overrides(postgres, redis, sandboxPort, TestServices.freePort());
    overrides.putAll(extra);
    String internalUrl = "http://127.0.0.1:" + overrides.get("proxy.internal.port");
    RunningService service =
        Main.start(ConfigLoader.load("token-proxy", Map.of(), overrides), clock);
    return new Started(
        service, internalUrl, new TokenProxyClient(URI.create(internalUrl), INTERNAL_TOKEN));
  }

  /** A started token proxy: the service, its internal API's base URL and a client of it. */
  public record Started(RunningService service, String internalUrl, TokenProxyClient client)
      implements AutoCloseable {
    @Override
    public void close() {
      service.close();
    }
  }
}
