package cloud.openclaw.proxy;

import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * A real token proxy for other modules' tests (published in this module's test-jar): its
 * configuration on loopback over the test class's PostgreSQL and Redis, forwarding to the sandbox's
 * Kimi stand-in.
 */
public final class TestTokenProxy {
  /** The internal API's service token in tests. */
  public static final String INTERNAL_TOKEN = "test-internal-token-0123456789";

  private TestTokenProxy() {}

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
