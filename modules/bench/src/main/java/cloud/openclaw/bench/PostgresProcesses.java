package cloud.openclaw.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Every PostgreSQL process on this machine together (the server forks one per connection), when the
 * benchmark's PostgreSQL runs here.
 */
record PostgresProcesses() implements CpuMeter {
  static Optional<PostgresProcesses> find() {
    PostgresProcesses postgres = new PostgresProcesses();
    return postgres.ticks().filter(ticks -> ticks > 0).map(ticks -> postgres);
  }

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public Optional<Long> ticks() {
    long total =
        ProcessHandle.allProcesses()
            .filter(process -> "postgres".equals(command(process.pid())))
            .mapToLong(process -> CpuMeter.ticksOf(process.pid()).orElse(0L))
            .sum();
    return Optional.of(total);
  }

  private static String command(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
