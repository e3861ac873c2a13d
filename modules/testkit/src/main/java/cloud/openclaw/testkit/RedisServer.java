package cloud.openclaw.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.logging.Logger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * One Redis server per test JVM: {@code OPENCLAW_TEST_REDIS_URL}, else Testcontainers where a
 * Docker engine runs, else embedded-redis. Test classes keep apart by key prefix (see {@link
 * TestRedis}).
 */
public final class RedisServer {
  private static final Logger LOG = Logger.getLogger(RedisServer.class.getName());
  private static RedisServer shared;

  private final String host;
  private final int port;

  private RedisServer(String host, int port) {
    this.host = host;
    this.port = port;
  }

  public static synchronized RedisServer shared() {
    if (shared == null) {
      shared = locate();
    }
    return shared;
  }

  private static RedisServer locate() {
    String url = System.getenv("OPENCLAW_TEST_REDIS_URL");
    if (url != null && !url.isBlank()) {
      URI uri = URI.create(url);
      LOG.info("tests use Redis at " + url);
      return new RedisServer(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
    }
    if (DockerClientFactory.instance().isDockerAvailable()) {
      GenericContainer<?> container =
          new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
      container.start();
      LOG.info("tests use Redis in a container");
      return new RedisServer(container.getHost(), container.getFirstMappedPort());
    }
    try {
      int port = freePort();
      redis.embedded.RedisServer embedded = new redis.embedded.RedisServer(port);
      embedded.start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      embedded.stop();
                    } catch (IOException ignored) {
                      // the JVM is exiting
                    }
                  }));
      LOG.info("tests use embedded Redis on port " + port);
      return new RedisServer("127.0.0.1", port);
    } catch (IOException e) {
      throw new IllegalStateException("could not start embedded Redis", e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://" + host + ":" + port;
  }
}
