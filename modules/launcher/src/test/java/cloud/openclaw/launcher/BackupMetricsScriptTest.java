package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nixos/nodes/backup-metrics.sh, the control plane's collector of
 * openclaw_backup_last_success_timestamp_seconds{kind}, against a stand-in kubectl answering as
 * pgBackRest, PostgreSQL and K3s do: each kind is the newest backup that really left the node (not
 * a failed backup, not a local or unfinished etcd snapshot), and a source that does not answer
 * leaves its kind out rather than keeping an old value. The output passes {@code promtool check
 * metrics} where promtool is installed.
 */
class BackupMetricsScriptTest {
  private static final String INFO =
      """
      [{"name":"openclaw","backup":[
        {"label":"F","type":"full","error":false,"timestamp":{"start":1796200000,"stop":1796201000}},
        {"label":"D","type":"diff","error":false,"timestamp":{"start":1796280000,"stop":1796281000}},
        {"label":"E","type":"diff","error":true,"timestamp":{"start":1796290000,"stop":1796291000}}
      ]}]
      """;
  private static final String ETCD =
      """
      {"items":[
        {"spec":{"location":"file:///var/lib/rancher/k3s/server/db/snapshots/a"},
         "status":{"creationTime":"2026-12-03T12:00:00Z","readyToUse":true}},
        {"spec":{"location":"s3://openclaw-backups/etcd/b","s3":{"bucket":"openclaw-backups"}},
         "status":{"creationTime":"2026-12-03T06:00:00Z","readyToUse":true}},
        {"spec":{"location":"s3://openclaw-backups/etcd/c","s3":{"bucket":"openclaw-backups"}},
         "status":{"creationTime":"2026-12-03T13:00:00Z","readyToUse":false}}
      ]}
      """;

  @TempDir Path dir;
  private Path answers;
  private Path textfiles;

  @BeforeEach
  void standIns() throws Exception {
    if (onPath("jq") == null || onPath("bash") == null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("bash and jq are needed to run nixos/nodes/backup-metrics.sh");
      }
      Assumptions.abort("bash and jq are needed to run nixos/nodes/backup-metrics.sh");
    }
    answers = Files.createDirectories(dir.resolve("answers"));
    textfiles = dir.resolve("textfile");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path kubectl = bin.resolve("kubectl");
    // Answers from files; a missing file is a failing command (pod down, bucket unreachable).
    Files.writeString(
        kubectl,
        """
        #!/usr/bin/env bash
        case "$*" in
          *"exec postgres-0 -c pgbackrest -- pgbackrest info --output=json"*) f=info.json ;;
          *"exec postgres-0 -c pgbackrest -- psql "*"pg_stat_archiver"*) f=wal ;;
          "get etcdsnapshotfiles -o json") f=etcd.json ;;
          *) echo "unexpected: kubectl $*" >&2; exit 2 ;;
        esac
        [ -f "$ANSWERS/$f" ] || { echo "error: not reachable" >&2; exit 1; }
        cat "$ANSWERS/$f"
        """);
    Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void eachKindIsTheNewestBackupThatLeftTheNode() throws Exception {
    Files.writeString(answers.resolve("info.json"), INFO);
    Files.writeString(answers.resolve("wal"), "1796300000\n");
    Files.writeString(answers.resolve("etcd.json"), ETCD);

    String metrics = collect();

    assertThat(samples(metrics))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "postgres-base", "1796281000",
                "postgres-wal", "1796300000",
                // 2026-12-03T06:00:00Z: the newest snapshot in S3 that K3s finished.
                "etcd", "1796277600"));
    promtoolAccepts(metrics);
  }

  @Test
  void aSourceThatDoesNotAnswerLeavesItsKindOutInsteadOfAnOldValue() throws Exception {
    Files.writeString(answers.resolve("info.json"), INFO);
    Files.writeString(answers.resolve("wal"), "1796300000\n");
    Files.writeString(answers.resolve("etcd.json"), ETCD);
    collect();

    Files.delete(answers.resolve("info.json"));
    Files.writeString(answers.resolve("wal"), "\n"); // never archived: NULL
    Files.writeString(answers.resolve("etcd.json"), "{\"items\":[]}");
    String metrics = collect();

    assertThat(samples(metrics)).isEmpty();
    assertThat(metrics).contains("# TYPE openclaw_backup_last_success_timestamp_seconds gauge");
    promtoolAccepts(metrics);
  }

  private String collect() throws Exception {
    Path script = repositoryRoot().resolve("nixos/nodes/backup-metrics.sh");
    ProcessBuilder builder =
        new ProcessBuilder("bash", script.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("collect.log").toFile());
    builder.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    builder.environment().put("ANSWERS", answers.toString());
    builder.environment().put("TEXTFILE_DIR", textfiles.toString());
    builder.environment().put("DATABASE", "openclaw");
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(dir.resolve("collect.log"))).isZero();
    try (var files = Files.list(textfiles)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .as("only the finished file, no temporary one left")
          .containsExactly("openclaw-backups.prom");
    }
    return Files.readString(textfiles.resolve("openclaw-backups.prom"));
  }

  /** kind -> value of every openclaw_backup_last_success_timestamp_seconds sample. */
  private static Map<String, String> samples(String metrics) {
    Map<String, String> samples = new TreeMap<>();
    for (String line : metrics.split("\n")) {
      var sample =
          java.util.regex.Pattern.compile(
                  "^openclaw_backup_last_success_timestamp_seconds\\{kind=\"([a-z-]+)\"} (\\S+)$")
              .matcher(line);
      if (sample.matches()) {
        samples.put(sample.group(1), sample.group(2));
      } else {
        assertThat(line).as("a comment or a sample").startsWith("#");
      }
    }
    return samples;
  }

  private void promtoolAccepts(String metrics) throws Exception {
    Path promtool = onPath("promtool");
    if (promtool == null) {
      return;
    }
    Process check =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    check.getOutputStream().write(metrics.getBytes());
    check.getOutputStream().close();
    String output = new String(check.getInputStream().readAllBytes());
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(output).isZero();
  }

  private static Path repositoryRoot() {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.exists(root.resolve("nixos/nodes/backup-metrics.sh"))) {
      root = root.getParent();
    }
    assertThat(root).as("repository root").isNotNull();
    return root;
  }

  private static Path onPath(String command) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(entry, command);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
