package cloud.openclaw.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import redis.clients.jedis.RedisClient;
import redis.embedded.core.RedisServerBuilder;

/**
 * A redis-server of the test's own on a free loopback port, for tests that restart or pause Redis:
 * the shared server ({@link RedisServer}) is never restarted. Made by {@link #start()} it keeps
 * nothing on disk, so a {@link #restart()} comes back empty, as a Redis without persistence does;
 * made by {@link #startPersistent(Path)} it keeps an append-only file as the platform's Redis does
 * (nixos/platform: {@code --appendonly yes}, fsync every second), and comes back with it.
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
    return start(List.of("appendonly no"));
  }

  /**
   * Starts a server that keeps its data in an append-only file in {@code dir}, as the platform's
   * Redis is configured (appendfsync everysec, Redis's default), and loads it again at each start.
   */
  public static PrivateRedis startPersistent(Path dir) {
    return start(List.of("appendonly yes", "appendfsync everysec", "dir " + dir.toAbsolutePath()));
  }

  private static PrivateRedis start(List<String> settings) {
    try {
      int port = RedisServer.freePort();
      RedisServerBuilder builder =
          redis.embedded.RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("save \"\"")
              .onShutdownForceStop(true);
      settings.forEach(builder::setting);
      redis.embedded.RedisServer server = builder.build();
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
   * kill -9 of the redis-server process: no shutdown, no last write of its append-only file;
   * returns once the port refuses connections. {@link #up()} starts it again.
   */
  public void kill() {
    long pid;
    try (RedisClient client = RedisClient.create(host(), port)) {
      String info = client.info("server");
      pid =
          info.lines()
              .filter(line -> line.startsWith("process_id:"))
              .map(line -> Long.parseLong(line.substring("process_id:".length()).strip()))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no process_id in INFO: " + info));
    }
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    Awaitility.await("private redis-server on " + port + " killed")
        .atMost(START_LIMIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !accepts());
    // The wrapper still thinks it runs: let it reap the dead process, so that up() starts anew.
    stop();
  }

  /**
   * Starts the stopped server again on the same port, empty unless it keeps an append-only file;
   * returns once it accepts. A process that has just stopped may hold the port for a moment longer:
   * the start is tried again then.
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
