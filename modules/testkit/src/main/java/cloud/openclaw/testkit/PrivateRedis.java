package cloud.openclaw.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * A redis-server of the test's own on a free loopback port, for tests that restart or pause Redis:
 * the shared server ({@link RedisServer}) is never restarted. It keeps nothing on disk, so a {@link
 * #restart()} comes back empty, as a Redis without persistence does.
 *
 * <pre>{@code
 * try (PrivateRedis redis = PrivateRedis.start()) {
 *   // connect to redis.url() ...
 *   redis.restart();
 * }
 * }</pre>
 */
public final class PrivateRedis implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(10);

  private final int port;
  private final redis.embedded.RedisServer server;

  private PrivateRedis(int port, redis.embedded.RedisServer server) {
    this.port = port;
    this.server = server;
  }

  /** Starts a server on a free port of 127.0.0.1 and waits until it accepts connections. */
  public static PrivateRedis start() {
    try {
      int port = RedisServer.freePort();
      redis.embedded.RedisServer server =
          redis.embedded.RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("save \"\"")
              .setting("appendonly no")
              .onShutdownForceStop(true)
              .build();
      PrivateRedis redis = new PrivateRedis(port, server);
      redis.up();
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a private redis-server", e);
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server: every connection drops; returns once the port refuses connections. */
  public void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop the private redis-server", e);
    }
    Awaitility.await("private redis-server on " + port + " gone")
        .atMost(START_LIMIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !accepts());
  }

  /**
   * Starts the stopped server again on the same port, empty; returns once it accepts. A process
   * that has just stopped may hold the port for a moment longer: the start is tried again then.
   */
  public void up() {
    Awaitility.await("private redis-server started on " + port)
        .atMost(START_LIMIT)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(
            () -> {
              server.start();
              return true;
            });
    Awaitility.await("private redis-server listening on " + port)
        .atMost(START_LIMIT)
        .pollInterval(Duration.ofMillis(20))
        .until(this::accepts);
  }

  /** {@link #stop()} then {@link #up()}. */
  public void restart() {
    stop();
    up();
  }

  private boolean accepts() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    stop();
  }
}
