package cloud.openclaw.operator.kubernetes;

import cloud.openclaw.platform.domain.Box;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A box's workspace (the agent's memory) off the node and back, as pure functions: the archive Job
 * a destroy runs in the box's namespace before deleting it, the nightly snapshot Job of a running
 * box (the same script, beside the gateway), and the restore init container every gateway pod
 * starts with. Both run the gateway image's node (the image has no tar, gzip or curl): the scripts
 * are {@code operator/workspaces/archive.js} and {@code restore.js}. Neither ever sees the bucket's
 * key: only a presigned URL for the customer's one object ({@code workspaces/<customer
 * id>.tar.gz}).
 */
public final class WorkspaceBackupResources {
  /** The archive Job's name: one per box, so that a destroy run twice finds the first one's. */
  public static final String ARCHIVE_JOB = "workspace-archive";

  public static final String ARCHIVE_NAME = "workspace-archive";

  /** The init container that restores the workspace, before the gateway's own (prepare-state). */
  public static final String RESTORE_CONTAINER = "restore-workspace";

  /** In the config Secret: the presigned GET URL of the customer's archive. */
  public static final String RESTORE_URL_KEY = "workspace-restore-url";

  /** How often a failed archive pod is tried again within the Job. */
  public static final int ARCHIVE_BACKOFF_LIMIT = 2;

  /** A finished Job is cleaned up after this long (the namespace usually goes first). */
  public static final int ARCHIVE_TTL_SECONDS = 3600;

  /** The nightly snapshot Jobs' names: this, then the pass's day (see {@link #snapshotJobName}). */
  public static final String SNAPSHOT_JOB_PREFIX = "workspace-snapshot-";

  public static final String SNAPSHOT_NAME = "workspace-snapshot";

  /**
   * A finished snapshot Job is kept this long: its pod's log can be read the morning after a
   * failure, and it is gone before the next night's.
   */
  public static final int SNAPSHOT_TTL_SECONDS = 12 * 3600;

  /** The node label pod affinity puts the snapshot pod on the gateway pod's node with. */
  public static final String HOSTNAME_TOPOLOGY = "kubernetes.io/hostname";

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);

  static final String ARCHIVE_SCRIPT = script("archive.js");
  static final String RESTORE_SCRIPT = script("restore.js");

  private static final String TMP_ARCHIVE = "/tmp/workspace.tar.gz";

  private WorkspaceBackupResources() {}

  /**
   * What a box's pod needs to restore its customer's workspace.
   *
   * @param url the presigned GET URL of the customer's archive, written into the config Secret (not
   *     the pod template: it is re-signed on every apply, and a changed template would restart the
   *     gateway each time)
   * @param egressCidrs where the store is when not on a public address on 443; empty for none
   * @param port the store's port
   */
  public record Restore(URI url, List<String> egressCidrs, int port) {
    public Restore {
      Objects.requireNonNull(url, "url");
      egressCidrs = List.copyOf(egressCidrs);
    }

    @Override
    public String toString() {
      return "Restore[" + url.getHost() + ", egress " + egressCidrs + ":" + port + "]";
    }
  }

  /**
   * Runs only on an absent or empty workspace: GETs the archive (404: none, start fresh) and
   * unpacks it into the workspace; a storage outage is retried for about a minute, then the box
   * starts fresh (restore.js). The URL comes from the config Secret's {@link #RESTORE_URL_KEY}.
   */
  static Container restoreContainer(KubernetesSettings settings) {
    return new ContainerBuilder()
        .withName(RESTORE_CONTAINER)
        .withImage(settings.image())
        .withImagePullPolicy(settings.imagePullPolicy())
        .withCommand(
            "node",
            "-e",
            RESTORE_SCRIPT,
            BoxResources.WORKSPACE_DIR,
            BoxResources.CONFIG_DIR + "/" + RESTORE_URL_KEY)
        .withSecurityContext(BoxResources.containerSecurity())
        .withResources(smallResources())
        .withVolumeMounts(
            BoxResources.mount("state", BoxResources.STATE_DIR, false),
            BoxResources.mount("config", BoxResources.CONFIG_DIR, true))
        .build();
  }

  /**
   * Egress to the store on its port, when it is somewhere the policy's public-443 rule does not
   * cover; null when it needs none.
   */
  static NetworkPolicyEgressRule storeEgress(Restore restore) {
    if (restore.egressCidrs().isEmpty()) {
      return null;
    }
    List<NetworkPolicyPeer> to =
        restore.egressCidrs().stream()
            .map(
                cidr ->
                    new NetworkPolicyPeerBuilder()
                        .withNewIpBlock()
                        .withCidr(cidr)
                        .endIpBlock()
                        .build())
            .toList();
    return new NetworkPolicyEgressRuleBuilder()
        .withTo(to)
        .withPorts(
            new NetworkPolicyPortBuilder()
                .withProtocol("TCP")
                .withPort(new IntOrString(restore.port()))
                .build())
        .build();
  }

  /**
   * The Job that tars the box's workspace (its volume mounted read-only) and PUTs it to {@code
   * putUrl}. Retried {@value #ARCHIVE_BACKOFF_LIMIT} times, stopped after {@code deadline}; it runs
   * under the namespace's NetworkPolicy, quota and Pod Security "restricted" like the gateway.
   */
  public static Job archiveJob(
      Box box, KubernetesSettings settings, URI putUrl, Duration deadline) {
    Map<String, String> labels = new LinkedHashMap<>(BoxResources.labels(box));
    labels.put(BoxResources.NAME_LABEL, ARCHIVE_NAME);
    return archive(
        BoxResources.namespaceName(box, settings),
        ARCHIVE_JOB,
        labels,
        settings,
        putUrl,
        deadline,
        ARCHIVE_TTL_SECONDS,
        null);
  }

  /**
   * The nightly snapshot of a running box's workspace: the archive Job's pod, the same script and
   * the same object (newest wins), while the gateway keeps running. The state volume is
   * ReadWriteOnce, so the pod must run on the gateway pod's node (required pod affinity to the
   * gateway's labels, per hostname), where it mounts the volume read-only beside the gateway. A
   * copy of files the agent may be writing: a file that changes while it is read is cut (or padded)
   * to the size it had when listed, one that vanishes fails the pod and the Job tries again.
   *
   * @param jobName {@link #snapshotJobName}: one per pass, so that a pass run again finds the Job
   *     it created the first time
   */
  public static Job snapshotJob(
      SnapshotTarget box,
      KubernetesSettings settings,
      String jobName,
      URI putUrl,
      Duration deadline) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(BoxResources.MANAGED_BY_LABEL, BoxResources.MANAGED_BY);
    labels.put(BoxResources.CUSTOMER_LABEL, box.customerId().toString());
    labels.put(BoxResources.BOX_LABEL, box.boxId().toString());
    labels.put(BoxResources.NAME_LABEL, SNAPSHOT_NAME);
    Affinity nextToTheGateway =
        new AffinityBuilder()
            .withNewPodAffinity()
            .addNewRequiredDuringSchedulingIgnoredDuringExecution()
            .withNewLabelSelector()
            .withMatchLabels(
                Map.of(
                    BoxResources.BOX_LABEL,
                    box.boxId().toString(),
                    BoxResources.NAME_LABEL,
                    BoxResources.GATEWAY_NAME))
            .endLabelSelector()
            .withTopologyKey(HOSTNAME_TOPOLOGY)
            .endRequiredDuringSchedulingIgnoredDuringExecution()
            .endPodAffinity()
            .build();
    return archive(
        box.namespace(),
        jobName,
        labels,
        settings,
        putUrl,
        deadline,
        SNAPSHOT_TTL_SECONDS,
        nextToTheGateway);
  }

  /**
   * The snapshot Job's name for a pass started at {@code start}: its UTC day ({@code
   * workspace-snapshot-20261203}) when passes are whole days apart, else its minute too ({@code
   * workspace-snapshot-20261203-0400}).
   */
  public static String snapshotJobName(Instant start, Duration interval) {
    boolean days = interval.toSeconds() % Duration.ofDays(1).toSeconds() == 0;
    return SNAPSHOT_JOB_PREFIX + (days ? DAY : MINUTE).format(start);
  }

  /** A running box to snapshot, as its namespace's labels name it. */
  public record SnapshotTarget(UUID boxId, UUID customerId, String namespace) {
    public SnapshotTarget {
      Objects.requireNonNull(boxId, "boxId");
      Objects.requireNonNull(customerId, "customerId");
      Objects.requireNonNull(namespace, "namespace");
    }
  }

  private static Job archive(
      String namespace,
      String name,
      Map<String, String> labels,
      KubernetesSettings settings,
      URI putUrl,
      Duration deadline,
      int ttlSeconds,
      Affinity affinity) {
    Container archive =
        new ContainerBuilder()
            .withName("archive")
            .withImage(settings.image())
            .withImagePullPolicy(settings.imagePullPolicy())
            .withCommand(
                "node",
                "-e",
                ARCHIVE_SCRIPT,
                BoxResources.WORKSPACE_DIR,
                TMP_ARCHIVE,
                putUrl.toString())
            .withSecurityContext(BoxResources.containerSecurity())
            .withResources(smallResources())
            .withVolumeMounts(
                BoxResources.mount("state", BoxResources.STATE_DIR, true),
                BoxResources.mount("tmp", "/tmp", false))
            .build();
    return new JobBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(ARCHIVE_BACKOFF_LIMIT)
        .withActiveDeadlineSeconds(Math.max(1, deadline.toSeconds()))
        .withTtlSecondsAfterFinished(ttlSeconds)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withServiceAccountName(BoxResources.SERVICE_ACCOUNT)
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withSecurityContext(BoxResources.podSecurity())
        .withAffinity(affinity)
        .withContainers(archive)
        .withVolumes(
            new VolumeBuilder()
                .withName("state")
                .withNewPersistentVolumeClaim()
                .withClaimName(BoxResources.STATE_PVC)
                .withReadOnly(true)
                .endPersistentVolumeClaim()
                .build(),
            new VolumeBuilder()
                .withName("tmp")
                .withNewEmptyDir()
                .withSizeLimit(settings.stateSize())
                .endEmptyDir()
                .build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static ResourceRequirements smallResources() {
    return new ResourceRequirementsBuilder()
        .withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("64Mi")))
        .withLimits(Map.of("memory", new Quantity("256Mi")))
        .build();
  }

  private static String script(String name) {
    String path = "/operator/workspaces/" + name;
    try (InputStream in = WorkspaceBackupResources.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is missing from the operator's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
