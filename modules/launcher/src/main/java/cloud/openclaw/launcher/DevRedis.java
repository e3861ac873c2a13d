package cloud.openclaw.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.embedded.core.ExecutableProvider;

/**
 * Embedded Redis for dev mode: the redis-server binary that embedded-redis ships, run as a child
 * process of the launcher. Started here rather than through embedded-redis's RedisServer, which
 * adds its own shutdown hook and so would stop Redis before the services that use it. Snapshots
 * (every minute after a change, and at stop) go to its directory, so queued work survives restarts.
 */
final class DevRedis implements AutoCloseable {
  static final int PREFERRED_PORT = 63799;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Runs Redis in a session of its own, so that Ctrl-C in the terminal (SIGINT to the whole
   * foreground process group) reaches only the launcher, which stops Redis after the services. The
   * child is no process group leader, so setsid execs Redis in place: the process is Redis itself.
   */
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final Process process;
  private final int port;
  private final Path directory;

  private DevRedis(Process process, int port, Path directory) {
    this.process = process;
    this.port = port;
    this.directory = directory;
  }

  static DevRedis start(Path directory) {
    Path log = directory.resolve("redis.log");
    try {
      Files.createDirectories(directory);
      Path pidFile = directory.resolve("redis.pid");
      StaleProcess.stop(pidFile, "redis-server", Duration.ofSeconds(15));
      int port = Ports.preferredOrFree(PREFERRED_PORT);
      List<String> command = new ArrayList<>();
      if (Files.isExecutable(SETSID)) {
        command.add(SETSID.toString());
      }
      command.add(ExecutableProvider.newJarResourceProvider().get().getAbsolutePath());
      command.addAll(
          List.of(
              "--port",
              Integer.toString(port),
              "--bind",
              "127.0.0.1",
              "--dir",
              directory.toAbsolutePath().toString(),
              "--pidfile",
              pidFile.toAbsolutePath().toString(),
              "--save",
              "60 1",
              "--appendonly",
              "no",
              "--daemonize",
              "no"));
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      DevRedis redis = new DevRedis(process, port, directory);
      redis.awaitReady(log);
      return redis;
    } catch (IOException e) {
      throw new IllegalStateException("embedded Redis did not start (see " + log + "): " + e, e);
    }
  }

  private void awaitReady(Path log) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "embedded Redis exited with " + process.exitValue() + " (see " + log + ")");
      }
      if (answersPing()) {
        return;
      }
      sleep(Duration.ofMillis(50));
    }
    close();
    throw new IllegalStateException("embedded Redis did not answer in " + START_TIMEOUT);
  }

  private boolean answersPing() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException notYet) {
      return false;
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Redis", e);
    }
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  Path directory() {
    return directory;
  }

  /** SIGTERM (Redis saves its snapshot and exits), then SIGKILL if it takes too long. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
