package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's backups as rendered (nixos/platform/backups.nix): the database archives its WAL with
 * pgBackRest, the backup sidecar and the restore pod of docs/operations.md use the very same
 * repository and data directory, the schedule takes a full backup weekly and a differential one on
 * the other nights, and the restore writes into the database's own volume.
 */
class BackupManifestsTest {
  private static JsonNode platform;
  private static JsonNode cluster;
  private static JsonNode statefulSet;

  @BeforeAll
  static void render() throws Exception {
    platform = PlatformRender.render(List.of("nixos/platform/render.nix"));
    cluster = PlatformRender.render(List.of("nixos/cluster.nix"));
    for (JsonNode object : platform.get("manifests").get("40-postgres")) {
      if (object.get("kind").asText().equals("StatefulSet")) {
        statefulSet = object;
      }
    }
    assertThat(statefulSet).as("the postgres StatefulSet").isNotNull();
  }

  @Test
  void postgresArchivesEveryWalSegmentWithPgBackRestWithinAMinute() {
    List<String> args = new ArrayList<>();
    container(podSpec(), "postgres").get("args").forEach(a -> args.add(a.asText()));
    assertThat(settings(args))
        .containsEntry("archive_mode", "on")
        .containsEntry("wal_level", "replica")
        .containsEntry("archive_command", "pgbackrest archive-push %p")
        .containsEntry("archive_timeout", "60");
  }

  @Test
  void theSidecarAndTheRestorePodUseTheDatabasesRepositoryAndDataDirectory() {
    JsonNode postgres = container(podSpec(), "postgres");
    JsonNode sidecar = container(podSpec(), "pgbackrest");
    JsonNode restore = container(platform.get("restore").get("postgres").get("spec"), "restore");

    Map<String, String> archiving = pgbackrestEnv(postgres);
    assertThat(pgbackrestEnv(sidecar)).isEqualTo(archiving);
    assertThat(pgbackrestEnv(restore)).isEqualTo(archiving);
    assertThat(archiving)
        .containsEntry("PGBACKREST_REPO1_TYPE", "s3")
        .containsEntry("PGBACKREST_REPO1_S3_BUCKET", cluster.at("/backups/s3/bucket").asText())
        .containsEntry("PGBACKREST_REPO1_S3_ENDPOINT", cluster.at("/backups/s3/endpoint").asText())
        .containsEntry("PGBACKREST_REPO1_S3_REGION", cluster.at("/backups/s3/region").asText())
        .containsEntry("PGBACKREST_PG1_PATH", plainEnv(postgres).get("PGDATA"))
        .containsKeys(
            "PGBACKREST_REPO1_S3_KEY",
            "PGBACKREST_REPO1_S3_KEY_SECRET",
            "PGBACKREST_REPO1_CIPHER_PASS");

    // The image built by images/postgres.nix (PostgreSQL 17 + pgBackRest), for all three.
    String image =
        cluster.get("registry").asText() + "/postgres:17-" + cluster.get("imageTag").asText();
    assertThat(List.of(postgres, sidecar, restore))
        .extracting(c -> c.get("image").asText())
        .containsOnly(image);

    // The sidecar reaches the data directory and the socket where the database has them.
    Map<String, String> databaseMounts = mounts(postgres);
    assertThat(mounts(sidecar)).containsAllEntriesOf(databaseMounts);
    assertThat(databaseMounts).containsValue(archiving.get("PGBACKREST_PG1_SOCKET_PATH"));
  }

  @Test
  void theRestorePodWritesIntoTheDatabasesVolume() {
    JsonNode pod = platform.get("restore").get("postgres").get("spec");
    String template = statefulSet.at("/spec/volumeClaimTemplates/0/metadata/name").asText();
    String claim = template + "-" + statefulSet.at("/metadata/name").asText() + "-0";
    String volume = null;
    for (JsonNode v : pod.get("volumes")) {
      if (claim.equals(v.at("/persistentVolumeClaim/claimName").asText())) {
        volume = v.get("name").asText();
      }
    }
    assertThat(volume).as("a volume of claim " + claim).isNotNull();
    assertThat(mounts(container(pod, "restore")).get(volume))
        .isEqualTo(mounts(container(podSpec(), "postgres")).get(template));
  }

  @Test
  void everySecretTheBackupsReadIsRendered() {
    JsonNode secrets = platform.get("secrets");
    for (JsonNode c :
        List.of(
            container(podSpec(), "pgbackrest"),
            container(platform.get("restore").get("postgres").get("spec"), "restore"))) {
      for (JsonNode variable : c.get("env")) {
        JsonNode ref = variable.at("/valueFrom/secretKeyRef");
        if (!ref.isMissingNode()) {
          assertThat(
                  secrets
                      .at("/" + ref.get("name").asText() + "/" + ref.get("key").asText())
                      .isTextual())
              .as(variable.get("name").asText())
              .isTrue();
        }
      }
    }
  }

  @Test
  void aFullBackupWeeklyAndADifferentialOnEveryOtherNight() {
    String crontab = null;
    for (JsonNode object : platform.get("manifests").get("40-postgres")) {
      if (object.get("kind").asText().equals("ConfigMap")) {
        crontab = object.at("/data/crontab").asText();
      }
    }
    assertThat(crontab).isNotNull();
    Map<Integer, String> typeByDay = new TreeMap<>();
    for (String line : crontab.strip().split("\n")) {
      String[] fields = line.trim().split("\\s+");
      assertThat(fields[2] + fields[3]).as(line).isEqualTo("**");
      String type = line.replaceAll(".*--type=(\\w+).*", "$1");
      for (int day : days(fields[4])) {
        assertThat(typeByDay.put(day, type)).as("day " + day + " scheduled twice").isNull();
      }
    }
    assertThat(typeByDay.keySet()).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(new TreeSet<>(typeByDay.values())).containsExactly("diff", "full");
    assertThat(typeByDay.values().stream().filter("full"::equals).count()).isEqualTo(1);
  }

  private static List<Integer> days(String field) {
    List<Integer> days = new ArrayList<>();
    for (String part : field.split(",")) {
      String[] range = part.split("-");
      int from = Integer.parseInt(range[0]);
      int to = range.length == 2 ? Integer.parseInt(range[1]) : from;
      for (int d = from; d <= to; d++) {
        days.add(d % 7);
      }
    }
    return days;
  }

  private static JsonNode podSpec() {
    return statefulSet.at("/spec/template/spec");
  }

  private static JsonNode container(JsonNode podSpec, String name) {
    for (JsonNode c : podSpec.get("containers")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no container " + name);
  }

  /** PGBACKREST_* variables: a value, or the Secret key it comes from. */
  private static Map<String, String> pgbackrestEnv(JsonNode container) {
    Map<String, String> env = new TreeMap<>();
    for (JsonNode variable : container.get("env")) {
      String name = variable.get("name").asText();
      if (name.startsWith("PGBACKREST_")) {
        JsonNode ref = variable.at("/valueFrom/secretKeyRef");
        env.put(
            name,
            ref.isMissingNode()
                ? variable.get("value").asText()
                : "secret:" + ref.get("name").asText() + "/" + ref.get("key").asText());
      }
    }
    return env;
  }

  private static Map<String, String> plainEnv(JsonNode container) {
    Map<String, String> env = new TreeMap<>();
    for (JsonNode variable : container.get("env")) {
      if (variable.has("value")) {
        env.put(variable.get("name").asText(), variable.get("value").asText());
      }
    }
    return env;
  }

  /** Volume name -> mount path. */
  private static Map<String, String> mounts(JsonNode container) {
    Map<String, String> mounts = new TreeMap<>();
    for (JsonNode mount : container.get("volumeMounts")) {
      mounts.put(mount.get("name").asText(), mount.get("mountPath").asText());
    }
    return mounts;
  }

  /** "-c", "name=value" pairs of postgres' arguments. */
  private static Map<String, String> settings(List<String> args) {
    Map<String, String> settings = new TreeMap<>();
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).equals("-c")) {
        String[] setting = args.get(i + 1).split("=", 2);
        settings.put(setting[0], setting[1]);
      }
    }
    return settings;
  }
}
