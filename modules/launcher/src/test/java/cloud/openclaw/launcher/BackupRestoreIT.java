package cloud.openclaw.launcher;

import static cloud.openclaw.launcher.ThrowawayPostgres.execute;
import static cloud.openclaw.launcher.ThrowawayPostgres.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.sandbox.s3.S3Server;
import cloud.openclaw.sandbox.s3.S3Settings;
import cloud.openclaw.sandbox.s3.S3StandIn;
import cloud.openclaw.sandbox.s3.SelfSignedTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL restore of docs/operations.md ("Backups and restore"), run for real: a throwaway
 * cluster archives its WAL with pgBackRest (archive_command, as nixos/platform/backups.nix sets
 * it), a full base backup is taken, more rows are written after it (so they live only in archived
 * WAL), the server is killed, and pgBackRest restores into a fresh data directory: the restored
 * server has every row. A point-in-time restore (--delta, over the killed server's data directory,
 * as docs/operations.md restores the platform's volume) to a moment between two batches has the
 * first, not the second.
 *
 * <p>The repository is in S3, as on the platform, through the sandbox's S3 stand-in ({@link
 * S3StandIn}: SigV4, path-style, multipart uploads) served over HTTPS with a self-signed
 * certificate that pgBackRest trusts through repo1-storage-ca-file (its S3 driver speaks only HTTPS
 * before 2.58, pgbackrest/pgbackrest#2612; Debian 12 has 2.45). The options that
 * nixos/platform/backups.nix gives as literals (repo1-type=s3, repo1-path, repo1-s3-uri-style=path,
 * the cipher, compression, retention...) are read from that file, so the IT runs what the platform
 * runs; only the endpoint, bucket, keys and the local paths are the test's. A table of hardly
 * compressible rows makes files larger than pgBackRest's upload chunk
 * (repo1-storage-upload-chunk-size, 5 MiB), so WAL and base backup also go up as multipart uploads.
 *
 * <p>Needs pgbackrest and the PostgreSQL server binaries (Debian: pgbackrest, postgresql); skipped
 * without them, except under CI=true, where it fails. initdb refuses root: as root the PostgreSQL
 * processes and pgBackRest run as the {@code postgres} OS user (runuser).
 */
class BackupRestoreIT {
  private static final String STANZA = "it";
  private static final String BUCKET = "openclaw-backups-it";
  private static final S3Settings S3 =
      new S3Settings(
          "AKIABACKUPRESTOREIT",
          "backup-restore-it-secret",
          "eu-central-1",
          List.of(BUCKET),
          S3Settings.AWS_MIN_PART_SIZE);

  /** Options of backups.nix that name places of the pod, not of the repository. */
  private static final List<String> POD_OPTIONS =
      List.of("stanza", "pg1-path", "pg1-socket-path", "pg1-user", "pg1-database", "lock-path");

  private ThrowawayPostgres postgres;
  private Path pgbackrest;
  private Path dir;
  private Path config;
  private S3Server s3;
  private final List<Path> running = new ArrayList<>();

  @BeforeEach
  void tools() throws Exception {
    Path bin = ThrowawayPostgres.serverBinaries();
    pgbackrest = ThrowawayPostgres.onPath("pgbackrest");
    ThrowawayPostgres.skipUnless(
        bin != null && pgbackrest != null,
        "needs pgbackrest and PostgreSQL's initdb/pg_ctl (apt-get install pgbackrest postgresql)");
    postgres = ThrowawayPostgres.create(bin, "backup-restore-it");
    dir = postgres.dir();
    SelfSignedTls tls = SelfSignedTls.create(dir);
    s3 = S3Server.start(new S3StandIn(S3), "127.0.0.1", 0, tls.serverContext());
  }

  @AfterEach
  void stopAndDelete() throws Exception {
    for (Path data : running) {
      postgres.runQuietly(pgCtl(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
    }
    if (postgres != null) {
      postgres.delete();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void aBaseBackupAndTheWalWrittenAfterItRestoreEveryRowIntoAFreshCluster() throws Exception {
    int port = Ports.free();
    Path data = dir.resolve("data");
    writeConfig(data, port);
    postgres.asPostgresOk(
        postgres.program("initdb"),
        "-D",
        data.toString(),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8");
    Files.writeString(
        data.resolve("postgresql.conf"),
        String.join(
            "\n",
            "",
            "port = " + port,
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = '" + dir + "'",
            "archive_mode = on",
            "archive_command = '"
                + pgbackrest
                + " --config="
                + config
                + " --stanza="
                + STANZA
                + " archive-push %p'",
            ""),
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    start(data, dir.resolve("primary.log"));
    pgbackrestOk("stanza-create");
    pgbackrestOk("check");

    try (Connection db = connect(port)) {
      execute(db, "CREATE TABLE memory (id int PRIMARY KEY, note text)");
      insert(db, 1, 100, "in the base backup");
      // Random hex compresses to about half: some 10 MB in the table and its WAL, above the chunk.
      execute(
          db,
          "CREATE TABLE ballast AS SELECT md5(random()::text) || md5(random()::text) AS noise"
              + " FROM generate_series(1, 300000)");
    }
    pgbackrestOk("--type=full", "backup");
    assertThat(s3.standIn().completedUploads()).as("multipart uploads").isPositive();
    assertThat(s3.standIn().keys(BUCKET))
        .anyMatch(key -> key.startsWith("postgres/archive/" + STANZA + "/"))
        .anyMatch(key -> key.startsWith("postgres/backup/" + STANZA + "/"));

    String target;
    try (Connection db = connect(port)) {
      String backedUp = text(db, "SELECT clock_timestamp()::text");
      insert(db, 101, 200, "only in WAL, before the target");
      // pgBackRest keeps a backup's stop time in whole seconds and restores to a time only from a
      // backup that stopped before it.
      await("a second has passed since the backup")
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  Boolean.parseBoolean(
                      text(
                          db,
                          "SELECT (clock_timestamp() > '"
                              + backedUp
                              + "'::timestamptz + interval '1 second')::text")));
      target = text(db, "SELECT clock_timestamp()::text");
      insert(db, 201, 300, "only in WAL, after the target");
      // Close the segment holding the last commits (archive_timeout does this on the platform).
      String segment = text(db, "SELECT pg_walfile_name(pg_switch_wal())");
      await("the last WAL segment is archived")
          .atMost(Duration.ofMinutes(1))
          .until(() -> segment.compareTo(archivedUpTo(db)) <= 0);
      // Nothing finished is left to archive: the control plane's metric says WAL is safe up to now.
      long before = count(db, "SELECT extract(epoch FROM now())::bigint");
      assertThat(count(db, walFreshnessQuery())).isBetween(before, before + 60);
    }
    // Killed, not shut down: whatever it had not archived is gone with it.
    postgres.asPostgresOk(pgCtl(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
    running.remove(data);

    Path restored = dir.resolve("restored");
    pgbackrestOk("--pg1-path=" + restored, "restore");
    startRestored(restored, port, "restored.log");
    try (Connection db = connect(port)) {
      await("recovery ends").atMost(Duration.ofMinutes(1)).until(() -> !inRecovery(db));
      assertThat(count(db, "SELECT count(*) FROM memory")).isEqualTo(300);
      assertThat(count(db, "SELECT count(DISTINCT note) FROM memory")).isEqualTo(3);
    }
    stop(restored);

    // As docs/operations.md restores the platform's volume: over the old data directory, --delta
    // rewriting only what differs (the restore pod of nixos/platform/backups.nix).
    pgbackrestOk(
        "--delta", "--type=time", "--target=" + target, "--target-action=promote", "restore");
    startRestored(data, port, "point-in-time.log");
    try (Connection db = connect(port)) {
      await("recovery ends").atMost(Duration.ofMinutes(1)).until(() -> !inRecovery(db));
      assertThat(count(db, "SELECT count(*) FROM memory")).isEqualTo(200);
      assertThat(count(db, "SELECT max(id) FROM memory")).isEqualTo(200);
    }
  }

  private void writeConfig(Path data, int port) throws Exception {
    config = dir.resolve("pgbackrest.conf");
    List<String> lines = new ArrayList<>();
    lines.add("[global]");
    platformOptions().forEach((option, value) -> lines.add(option + "=" + value));
    lines.addAll(
        List.of(
            "repo1-s3-endpoint=localhost",
            "repo1-storage-port=" + s3.port(),
            "repo1-storage-ca-file=" + dir.resolve("s3-stand-in-ca.pem"),
            "repo1-s3-bucket=" + BUCKET,
            "repo1-s3-region=" + S3.region(),
            "repo1-s3-key=" + S3.accessKey(),
            "repo1-s3-key-secret=" + S3.secretKey(),
            "repo1-cipher-pass=backup-restore-it-cipher-pass",
            "lock-path=" + dir.resolve("lock"),
            "log-path=" + dir.resolve("log"),
            "[" + STANZA + "]",
            "pg1-path=" + data,
            "pg1-port=" + port,
            "pg1-socket-path=" + dir,
            ""));
    Files.writeString(config, String.join("\n", lines));
    postgres.own(config);
  }

  /**
   * The options nixos/platform/backups.nix sets as literals ({@code plain "PGBACKREST_X" "v"}), as
   * pgBackRest names them (x, lower case, dashes), but those of the pod's places.
   */
  private static Map<String, String> platformOptions() throws IOException {
    Matcher option =
        Pattern.compile("\\(plain \"PGBACKREST_([A-Z0-9_]+)\" \"([^\"]*)\"\\)")
            .matcher(Files.readString(repositoryFile("nixos/platform/backups.nix")));
    Map<String, String> options = new LinkedHashMap<>();
    while (option.find()) {
      String name = option.group(1).toLowerCase(java.util.Locale.ROOT).replace('_', '-');
      if (!POD_OPTIONS.contains(name)) {
        options.put(name, option.group(2));
      }
    }
    assertThat(options)
        .as("backups.nix' literal pgBackRest options")
        .containsEntry("repo1-type", "s3")
        .containsEntry("repo1-s3-uri-style", "path")
        .containsKey("repo1-path")
        .containsKey("repo1-cipher-type");
    return options;
  }

  /** Starts a restored data directory without archiving: it must not write into the repository. */
  private void startRestored(Path data, int port, String log) throws Exception {
    running.add(data);
    postgres.asPostgresOk(
        pgCtl(),
        "-D",
        data.toString(),
        "-l",
        dir.resolve(log).toString(),
        "-o",
        "-c archive_mode=off",
        "-w",
        "start");
  }

  private void start(Path data, Path log) throws Exception {
    running.add(data);
    postgres.asPostgresOk(pgCtl(), "-D", data.toString(), "-l", log.toString(), "-w", "start");
  }

  private void stop(Path data) throws Exception {
    postgres.asPostgresOk(pgCtl(), "-D", data.toString(), "-m", "fast", "-w", "stop");
    running.remove(data);
  }

  private void pgbackrestOk(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(pgbackrest.toString());
    command.add("--config=" + config);
    command.add("--stanza=" + STANZA);
    command.addAll(List.of(args));
    postgres.asPostgresOk(command.toArray(String[]::new));
  }

  private String pgCtl() {
    return postgres.program("pg_ctl");
  }

  private static Connection connect(int port) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
  }

  private static void insert(Connection db, int from, int to, String note) throws SQLException {
    execute(
        db,
        "INSERT INTO memory SELECT i, '"
            + note
            + "' FROM generate_series("
            + from
            + ", "
            + to
            + ") i");
  }

  private static long count(Connection db, String sql) throws SQLException {
    return Long.parseLong(text(db, sql));
  }

  private static boolean inRecovery(Connection db) throws SQLException {
    return Boolean.parseBoolean(text(db, "SELECT pg_is_in_recovery()::text"));
  }

  private static String archivedUpTo(Connection db) throws SQLException {
    return text(db, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
  }

  /** The query nixos/nodes/backup-metrics.sh reports postgres-wal with. */
  private static String walFreshnessQuery() throws IOException {
    Matcher query =
        Pattern.compile("-Atc \"(.*?)\"\\)", Pattern.DOTALL)
            .matcher(Files.readString(repositoryFile("nixos/nodes/backup-metrics.sh")));
    assertThat(query.find()).as("the postgres-wal query in backup-metrics.sh").isTrue();
    return query.group(1);
  }

  /** A file of the repository, found upwards from the working directory. */
  private static Path repositoryFile(String path) {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve(path))) {
      root = root.getParent();
    }
    return root.resolve(path);
  }
}
