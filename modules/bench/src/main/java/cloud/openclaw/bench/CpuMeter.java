package cloud.openclaw.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A process whose CPU time the benchmark reads off {@code /proc} (Linux). */
interface CpuMeter {
  /** USER_HZ is 100 on Linux: a tick is 10 ms. */
  double MICROS_PER_TICK = 10_000;

  String name();

  /** User and system time so far, in ticks, if the process can be read. */
  Optional<Long> ticks();

  static Optional<Long> ticksOf(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name may hold spaces; the fields after it are plain numbers.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Busy time of all cores together (everything but idle and I/O wait), in ticks. */
  static Optional<Long> machineTicks() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(fields[i]);
      }
      return Optional.of(busy);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
