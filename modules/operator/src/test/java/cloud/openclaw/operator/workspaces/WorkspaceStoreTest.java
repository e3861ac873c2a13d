package cloud.openclaw.operator.workspaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceStoreTest {
  /** The operator's application.yaml with these keys (full names) overridden. */
  static Settings settings(Map<String, String> overrides) throws IOException {
    try (InputStream in =
        WorkspaceStoreTest.class.getResourceAsStream("/operator/application.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Settings(
          Config.builder()
              .disableEnvironmentVariablesSource()
              .disableSystemPropertiesSource()
              .addSource(ConfigSources.create(overrides))
              .addSource(ConfigSources.create(yaml, MediaTypes.APPLICATION_YAML))
              .build());
    }
  }

  Map<String, String> configured(Path dir) throws IOException {
    Map<String, String> keys = new HashMap<>();
    keys.put("operator.workspaces.s3.endpoint", "https://s3.eu-central-1.example.test/");
    keys.put("operator.workspaces.s3.region", "eu-central-1");
    keys.put("operator.workspaces.s3.bucket", "openclaw-backups");
    keys.put(
        "operator.workspaces.s3.access-key-file",
        Files.writeString(dir.resolve("ak"), "AKID\n").toString());
    keys.put(
        "operator.workspaces.s3.secret-key-file",
        Files.writeString(dir.resolve("sk"), "SECRET\n").toString());
    return keys;
  }

  @Test
  void theDefaultsLeaveTheFeatureOff() throws IOException {
    assertThat(WorkspaceStore.from(settings(Map.of()))).isEmpty();
    assertThat(
            WorkspaceStore.from(
                settings(Map.of("operator.workspaces.s3.endpoint", "https://s3.example.test"))))
        .as("no bucket")
        .isEmpty();
  }

  @Test
  void aConfiguredStoreReadsItsKeyFromFilesAndNeverPrintsIt(@TempDir Path dir) throws IOException {
    WorkspaceStore store = WorkspaceStore.from(settings(configured(dir))).orElseThrow();

    assertThat(store.accessKey()).isEqualTo("AKID");
    assertThat(store.secretKey()).isEqualTo("SECRET");
    assertThat(store.endpoint().toString()).isEqualTo("https://s3.eu-central-1.example.test");
    assertThat(store.port()).isEqualTo(443);
    assertThat(store.restoreUrlTtl()).isEqualTo(Duration.ofDays(7));
    assertThat(store.archiveTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(store.egressCidrs()).isEmpty();
    assertThat(store.toString()).doesNotContain("SECRET").doesNotContain("AKID");
    UUID customer = UUID.randomUUID();
    assertThat(store.restoreUrl(customer, Clock.systemUTC()).getRawPath())
        .isEqualTo("/openclaw-backups/workspaces/" + customer + ".tar.gz");
    assertThat(store.archiveUrl(customer, Clock.systemUTC()).getRawQuery())
        .contains("X-Amz-Expires=600");
    assertThat(store.restoreUrl(customer, Clock.systemUTC()).toString()).doesNotContain("SECRET");
  }

  @Test
  void mistakesAreNamedByTheirKey(@TempDir Path dir) throws IOException {
    Map<String, String> keys = configured(dir);
    keys.put("operator.workspaces.s3.url-ttl", "P8D");
    assertThatThrownBy(() -> WorkspaceStore.from(settings(keys)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("operator.workspaces.s3.url-ttl");
    keys.put("operator.workspaces.s3.url-ttl", "P7D");
    keys.put("operator.workspaces.s3.secret-key-file", dir.resolve("missing").toString());
    assertThatThrownBy(() -> WorkspaceStore.from(settings(keys)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("operator.workspaces.s3.secret-key-file");
    keys.put(
        "operator.workspaces.s3.secret-key-file",
        Files.writeString(dir.resolve("sk2"), "S").toString());
    keys.put("operator.workspaces.s3.egress-cidrs", "10.0.5.0/24,not-a-cidr");
    assertThatThrownBy(() -> WorkspaceStore.from(settings(keys)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("operator.workspaces.s3.egress-cidrs");
    keys.put("operator.workspaces.s3.egress-cidrs", "10.0.5.0/24");
    keys.put("operator.workspaces.s3.endpoint", "http://minio.storage:9000");
    WorkspaceStore store = WorkspaceStore.from(settings(keys)).orElseThrow();
    assertThat(store.port()).isEqualTo(9000);
    assertThat(store.egressCidrs()).isEqualTo(List.of("10.0.5.0/24"));
    keys.put("operator.workspaces.s3.endpoint", "https://s3.example.test/prefix");
    assertThatThrownBy(() -> WorkspaceStore.from(settings(keys)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("operator.workspaces.s3.endpoint");
  }

  @Test
  void snapshotsRunDailyTenAtATimeAndAtMostHourly() throws IOException {
    var schedule =
        cloud.openclaw.operator.kubernetes.WorkspaceSnapshots.Schedule.from(settings(Map.of()));
    assertThat(schedule.interval()).isEqualTo(Duration.ofDays(1));
    assertThat(schedule.concurrency()).isEqualTo(10);
    assertThatThrownBy(
            () ->
                cloud.openclaw.operator.kubernetes.WorkspaceSnapshots.Schedule.from(
                    settings(Map.of("operator.workspaces.snapshot-interval", "PT30M"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("operator.workspaces.snapshot-interval");
    assertThatThrownBy(
            () ->
                cloud.openclaw.operator.kubernetes.WorkspaceSnapshots.Schedule.from(
                    settings(Map.of("operator.workspaces.snapshot-concurrency", "0"))))
        .isInstanceOf(ConfigurationException.class);
  }
}
