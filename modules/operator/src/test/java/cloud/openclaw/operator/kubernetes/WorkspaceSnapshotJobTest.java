package cloud.openclaw.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.operator.workspaces.WorkspaceStore;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.ThinkingLevel;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The nightly snapshot Job of a running box, as rendered. */
class WorkspaceSnapshotJobTest {
  final KubernetesSettings settings = TestBoxes.kubernetes();
  final UUID boxId = UUID.fromString("0a1b2c3d-4e5f-4789-9abc-def012345678");
  final UUID customer = UUID.fromString("11111111-2222-4333-8444-555555555555");
  final Box box =
      TestBoxes.box(
          boxId, customer, BoxDesiredState.RUNNING, "kimi-k3", ThinkingLevel.LOW, List.of(111L));
  final WorkspaceBackupResources.SnapshotTarget target =
      new WorkspaceBackupResources.SnapshotTarget(
          boxId, customer, BoxResources.namespaceName(box, settings));
  final Clock clock = Clock.fixed(Instant.parse("2026-12-03T02:30:00Z"), ZoneOffset.UTC);
  final WorkspaceStore store =
      new WorkspaceStore(
          URI.create("https://s3.example.test"),
          "eu-central-1",
          "openclaw-backups",
          "AKIDEXAMPLE",
          "secret-example",
          Duration.ofDays(7),
          Duration.ofMinutes(5),
          List.of());

  Job job() {
    return WorkspaceBackupResources.snapshotJob(
        target,
        settings,
        "workspace-snapshot-20261203",
        store.archiveUrl(customer, clock),
        store.archiveTimeout());
  }

  @Test
  void theSnapshotJobIsNamedForItsPassInTheBoxNamespaceAndGoesAwayAfterADay() {
    Job job = job();

    assertThat(job.getMetadata().getNamespace()).isEqualTo("box-0a1b2c3d4e5f");
    assertThat(job.getMetadata().getName()).isEqualTo("workspace-snapshot-20261203");
    assertThat(job.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "openclaw-operator")
        .containsEntry("openclaw.cloud/box", boxId.toString())
        .containsEntry("openclaw.cloud/customer", customer.toString())
        .containsEntry("app.kubernetes.io/name", "workspace-snapshot");
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(300L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished())
        .isPositive()
        .isLessThan((int) Duration.ofDays(1).toSeconds());
  }

  @Test
  void itRunsOnTheGatewayPodsNodeAndMountsTheVolumeReadOnly() {
    PodSpec pod = job().getSpec().getTemplate().getSpec();

    assertThat(pod.getAffinity().getNodeAffinity()).isNull();
    assertThat(pod.getAffinity().getPodAntiAffinity()).isNull();
    assertThat(
            pod.getAffinity().getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
        .isNullOrEmpty();
    List<PodAffinityTerm> required =
        pod.getAffinity().getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    assertThat(required).hasSize(1);
    assertThat(required.getFirst().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
    assertThat(required.getFirst().getNamespaces()).as("the Job's own namespace").isNullOrEmpty();
    Map<String, String> selector = required.getFirst().getLabelSelector().getMatchLabels();

    // The selector picks the gateway's pod, as the Deployment labels it...
    var deployment =
        BoxResources.desired(box, settings, TestBoxes.secrets(), Optional.empty()).deployment();
    Map<String, String> gatewayPod = deployment.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(gatewayPod).containsAllEntriesOf(selector);
    // ...and not the snapshot's own; nor does the Deployment adopt the snapshot's pod.
    Map<String, String> snapshotPod = job().getSpec().getTemplate().getMetadata().getLabels();
    assertThat(snapshotPod.entrySet().containsAll(selector.entrySet())).isFalse();
    assertThat(
            snapshotPod
                .entrySet()
                .containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()))
        .isFalse();

    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("state"))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("state");
              assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
            });
    Container archive = pod.getContainers().getFirst();
    assertThat(archive.getVolumeMounts())
        .filteredOn(m -> m.getName().equals("state"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(archive.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void itRunsTheArchiveScriptWithAFreshPutUrlOfTheCustomersObject() {
    Container archive = job().getSpec().getTemplate().getSpec().getContainers().getFirst();

    assertThat(archive.getCommand())
        .startsWith("node", "-e", WorkspaceBackupResources.ARCHIVE_SCRIPT)
        .contains("/home/node/.openclaw/workspace");
    URI url = URI.create(archive.getCommand().getLast());
    assertThat(url.getHost()).isEqualTo("s3.example.test");
    assertThat(url.getPath())
        .isEqualTo("/openclaw-backups/workspaces/" + customer + ".tar.gz")
        .isEqualTo("/openclaw-backups/" + WorkspaceStore.objectKey(customer));
    assertThat(url.getQuery())
        .contains("X-Amz-Date=20261203T023000Z")
        .contains("X-Amz-Expires=600")
        .doesNotContain("secret-example");
    assertThat(url).isEqualTo(store.archiveUrl(customer, clock));
  }

  @Test
  void aPassIsNamedByItsDayOrByItsMinuteWhenSeveralRunADay() {
    Instant at = Instant.parse("2026-12-03T23:59:30Z");
    assertThat(WorkspaceBackupResources.snapshotJobName(at, Duration.ofDays(1)))
        .isEqualTo("workspace-snapshot-20261203");
    assertThat(WorkspaceBackupResources.snapshotJobName(at, Duration.ofDays(2)))
        .isEqualTo("workspace-snapshot-20261203");
    assertThat(WorkspaceBackupResources.snapshotJobName(at, Duration.ofHours(6)))
        .isEqualTo("workspace-snapshot-20261203-2359");
    assertThat(
            WorkspaceBackupResources.snapshotJobName(
                Instant.parse("2026-12-04T00:00:01Z"), Duration.ofDays(1)))
        .isEqualTo("workspace-snapshot-20261204");
  }
}
