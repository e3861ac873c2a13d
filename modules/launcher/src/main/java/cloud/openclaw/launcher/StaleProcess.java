package cloud.openclaw.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A server left running by a launcher that was killed (kill -9, a crash): found through its pid
 * file and stopped, so that the next launch can take its data directory again.
 */
final class StaleProcess {
  private StaleProcess() {}

  /** Stops the process named in the first line of {@code pidFile} if it runs {@code command}. */
  static void stop(Path pidFile, String command, Duration patience) {
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    Optional<ProcessHandle> process = read(pidFile).flatMap(ProcessHandle::of);
    if (process.isEmpty()
        || !process.get().info().command().orElse("").contains(command)
        || process.get().pid() == ProcessHandle.current().pid()) {
      return;
    }
    System.out.println("stopping " + command + " (pid " + process.get().pid() + ") left running");
    process.get().destroy();
    try {
      process.get().onExit().get(patience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          command + " (pid " + process.get().pid() + ") left by an earlier run does not stop", e);
    }
  }

  private static Optional<Long> read(Path pidFile) {
    try {
      String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
      return Optional.of(Long.parseLong(first));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
