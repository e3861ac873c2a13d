package cloud.openclaw.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The memory of a process and the processes it started, read off {@code /proc} once a second: what
 * the kubelet would count against a container's limit is close to the tree's RSS (its working set
 * also counts page cache, which RSS leaves out).
 *
 * @param processes how many processes the last sample found (the root and its descendants)
 * @param samples how many samples were taken
 * @param lastRssKib the tree's RSS in the last sample
 * @param maxRssKib the tree's highest RSS over the samples
 * @param lastPssKib the tree's proportional set size in the last sample (shared pages divided)
 * @param peakRssKib the root process's own high-water mark since it started (VmHWM)
 */
record ResidentMemory(
    int processes, int samples, long lastRssKib, long maxRssKib, long lastPssKib, long peakRssKib) {

  /** Samples {@code pid}'s tree once a second for {@code during}. */
  static ResidentMemory sample(long pid, Duration during) throws InterruptedException {
    long end = System.nanoTime() + during.toNanos();
    int samples = 0;
    long maxRss = 0;
    List<Long> tree = List.of();
    long lastRss = 0;
    do {
      tree = tree(pid);
      lastRss = tree.stream().mapToLong(p -> field(p, "status", "VmRSS:")).sum();
      maxRss = Math.max(maxRss, lastRss);
      samples++;
      Thread.sleep(1000);
    } while (System.nanoTime() < end);
    long pss = tree.stream().mapToLong(p -> field(p, "smaps_rollup", "Pss:")).sum();
    return new ResidentMemory(
        tree.size(), samples, lastRss, maxRss, pss, field(pid, "status", "VmHWM:"));
  }

  String row(String what) {
    return String.format(
        Locale.ROOT,
        "| %s | %d | %d | %.0f | %.0f | %.0f | %.0f |",
        what,
        samples,
        processes,
        lastRssKib / 1024.0,
        maxRssKib / 1024.0,
        lastPssKib / 1024.0,
        peakRssKib / 1024.0);
  }

  private static List<Long> tree(long pid) {
    ProcessHandle root =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException("the gateway (pid " + pid + ") ended"));
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    root.descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  /** A "Name: value kB" line of /proc/pid/file in KiB; 0 once the process is gone. */
  private static long field(long pid, String file, String name) {
    try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), file))) {
      return lines
          .filter(line -> line.startsWith(name))
          .flatMapToLong(
              line ->
                  LongStream.of(
                      Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0])))
          .findFirst()
          .orElse(0);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
