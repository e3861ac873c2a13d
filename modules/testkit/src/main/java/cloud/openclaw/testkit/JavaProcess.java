package cloud.openclaw.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;

/**
 * A main class of the test's class path run in a JVM of its own, for tests that must kill a process
 * the way a crash does (kill -9) or stop it the way Ctrl-C does (SIGTERM, the same shutdown hooks):
 * stdout and stderr go to a file the test can read. Closing it kills what is left.
 */
public final class JavaProcess implements AutoCloseable {
  private final Process process;
  private final Path output;

  private JavaProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /**
   * Starts {@code mainClass} in {@code workingDir} with the current JVM's class path and these
   * extra environment variables; its output (appended) in {@code output}.
   */
  public static JavaProcess start(
      String mainClass, Path workingDir, Map<String, String> environment, Path output) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The surefire/failsafe class path: a jar whose manifest names the others, or the list itself.
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workingDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    builder.environment().putAll(environment);
    try {
      return new JavaProcess(builder.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + mainClass, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything it printed so far. */
  public String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits up to {@code atMost} until GET {@code url} answers 200, i.e. the service is up. Fails at
   * once with its output when it exits meanwhile; one that never answers is killed, its output in
   * the failure.
   */
  public JavaProcess awaitAnswering(String url, Duration atMost) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    try (HttpClient http = HttpClient.newHttpClient()) {
      Awaitility.await()
          .atMost(atMost)
          .ignoreExceptions()
          .until(
              () -> {
                if (!isAlive()) {
                  throw new AssertionError("exited: " + output());
                }
                return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()
                    == 200;
              });
      return this;
    } catch (RuntimeException | AssertionError e) {
      close();
      throw new AssertionError(output(), e);
    }
  }

  /** kill -9: no shutdown hook runs; the processes it started are left behind. */
  public void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(30));
  }

  /**
   * SIGTERM, what Ctrl-C does to a JVM (its shutdown hooks run), and waits for the exit.
   *
   * @return how long it took to exit
   * @throws IllegalStateException when it has not exited within {@code patience}
   */
  public Duration stop(Duration patience) {
    long start = System.nanoTime();
    process.destroy();
    waitFor(patience);
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private void waitFor(Duration patience) {
    try {
      if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "pid " + process.pid() + " still runs after " + patience,
            new TimeoutException(output()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for pid " + process.pid(), e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
