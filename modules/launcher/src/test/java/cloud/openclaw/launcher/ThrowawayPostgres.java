package cloud.openclaw.launcher;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A folder for a throwaway PostgreSQL server of this machine's binaries, and commands run on it as
 * the server's OS user: initdb refuses root, so as root they run as the {@code postgres} OS user
 * (runuser), who owns the folder.
 */
final class ThrowawayPostgres {
  private static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(2);

  private final Path bin;
  private final Path dir;

  private ThrowawayPostgres(Path bin, Path dir) {
    this.bin = bin;
    this.dir = dir;
  }

  /**
   * A fresh folder named after {@code name}, on the server binaries {@code bin} (from {@link
   * #serverBinaries}, checked with {@link #skipUnless}).
   */
  static ThrowawayPostgres create(Path bin, String name) throws Exception {
    ThrowawayPostgres postgres =
        new ThrowawayPostgres(bin, Files.createTempDirectory(name).toAbsolutePath());
    postgres.own(postgres.dir);
    return postgres;
  }

  /** Skips the test unless {@code ready}, saying what it {@code needs}; under CI=true, fails. */
  static void skipUnless(boolean ready, String needs) {
    if (ready) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(needs + ": CI=true, so this fails rather than skips");
    }
    Assumptions.abort(needs + ": skipped (under CI=true this fails)");
  }

  Path dir() {
    return dir;
  }

  /** A server program, e.g. {@code initdb}, {@code pg_ctl}. */
  String program(String name) {
    return bin.resolve(name).toString();
  }

  /** The server binaries' folder, for a PATH. */
  Path bin() {
    return bin;
  }

  /** A folder under this one, owned by the server's OS user. */
  Path directory(String name) throws Exception {
    Path directory = Files.createDirectories(dir.resolve(name));
    own(directory);
    return directory;
  }

  /** Gives {@code path} to the server's OS user (when run as root). */
  void own(Path path) throws Exception {
    if (isRoot()) {
      run(List.of("chown", "postgres:postgres", path.toString()));
    }
  }

  /** {@code command} to run as the server's OS user. */
  List<String> asPostgres(String... command) {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  void asPostgresOk(String... command) throws Exception {
    run(asPostgres(command));
  }

  /** Runs {@code command} in the folder; fails the test unless it exits 0 in time. */
  void run(List<String> command) throws Exception {
    Path output = Files.createTempFile("throwaway-postgres", ".out");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!process.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not finish in " + PROCESS_TIMEOUT);
      }
      if (process.exitValue() != 0) {
        fail(
            String.join(" ", command)
                + " exited with "
                + process.exitValue()
                + ":\n"
                + Files.readString(output));
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** Runs {@code command} as the server's OS user, whatever comes of it. */
  void runQuietly(String... command) {
    try {
      new ProcessBuilder(asPostgres(command))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (IOException e) {
      // Best effort: the folder is deleted next anyway.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Deletes the folder and all in it. */
  void delete() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static void execute(Connection db, String sql) throws SQLException {
    try (Statement statement = db.createStatement()) {
      statement.execute(sql);
    }
  }

  /** The first column of the first row {@code sql} answers, as text. */
  static String text(Connection db, String sql) throws SQLException {
    try (Statement statement = db.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getString(1);
    }
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The newest installed PostgreSQL's server binaries (Debian's layout), or null. */
  static Path serverBinaries() throws IOException {
    Path versions = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(versions)) {
      try (Stream<Path> found = Files.list(versions)) {
        Path newest =
            found
                .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                .max(Comparator.comparingInt(v -> versionOf(v.getFileName().toString())))
                .orElse(null);
        if (newest != null) {
          return newest.resolve("bin");
        }
      }
    }
    Path initdb = onPath("initdb");
    return initdb == null ? null : initdb.getParent();
  }

  private static int versionOf(String name) {
    return name.matches("\\d+") ? Integer.parseInt(name) : 0;
  }

  static Path onPath(String command) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(entry, command);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
