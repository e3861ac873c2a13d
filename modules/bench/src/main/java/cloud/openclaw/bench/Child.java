package cloud.openclaw.bench;

import cloud.openclaw.platform.config.ConfigLoader;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** A service in a JVM of its own, as in production, started from this JVM's class path. */
final class Child implements CpuMeter, AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private Child(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code mainClass} with {@code config} as its configuration file and waits until it
   * listens on {@code port}.
   */
  static Child start(
      String name, String mainClass, Map<String, String> config, List<String> args, int port)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("bench-" + name, ".log");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    if (!config.isEmpty()) {
      Path file = Files.createTempFile("bench-" + name, ".properties");
      Properties properties = new Properties();
      properties.putAll(config);
      try (Writer out = Files.newBufferedWriter(file)) {
        properties.store(out, name + " for the proxy benchmark");
      }
      builder.environment().put(ConfigLoader.CONFIG_FILE_VARIABLE, file.toString());
    }
    Process process = builder.start();
    // Ctrl-C on the benchmark must not leave servers behind holding their ports.
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
    Child child = new Child(name, process, log);
    child.awaitListening(port);
    return child;
  }

  private void awaitListening(int port) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited:\n" + Files.readString(log));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        process.waitFor(100, TimeUnit.MILLISECONDS);
      }
    }
    throw new IllegalStateException(
        name + " did not listen on " + port + ":\n" + Files.readString(log));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<Long> ticks() {
    return CpuMeter.ticksOf(process.pid());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
