package cloud.openclaw.operator.kubernetes;

import cloud.openclaw.operator.OperatorMetrics;
import cloud.openclaw.operator.runtime.GatewayRuntime;
import cloud.openclaw.operator.workspaces.WorkspaceStore;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.errors.UnavailableException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Writes boxes' desired objects to a cluster and reads back what the operator needs. Every call is
 * idempotent and safe to repeat after a crash half-way.
 *
 * <p>Only plain verbs are used (get, list, create, update, JSON-merge patch, delete): no
 * server-side apply and no strategic-merge patch, so the same code runs against a real API server
 * and fabric8's CRUD mock. The verbs are the ones granted in operator/rbac.yaml.
 */
public final class KubernetesRuntime implements GatewayRuntime {
  private static final Logger LOG = Logger.getLogger(KubernetesRuntime.class.getName());
  private static final int CONFLICT = 409;
  private static final int FORBIDDEN = 403;
  private static final int MAX_ATTEMPTS = 5;
  private static final Duration POLL = Duration.ofMillis(200);

  /** The gateway's termination grace (30 s) and a margin. */
  private static final Duration GATEWAY_STOP = Duration.ofSeconds(45);

  private final KubernetesClient client;
  private final KubernetesSettings settings;
  private final Clock clock;
  private final Optional<WorkspaceStore> workspaces;
  private final OperatorMetrics metrics;

  public KubernetesRuntime(KubernetesClient client, KubernetesSettings settings) {
    this(client, settings, Clock.systemUTC());
  }

  public KubernetesRuntime(KubernetesClient client, KubernetesSettings settings, Clock clock) {
    this(client, settings, clock, Optional.empty(), OperatorMetrics.discarded());
  }

  /**
   * With {@code workspaces}: a destroyed box's workspace is archived there first, and every box's
   * pod restores its customer's archive onto an empty volume; each archive's outcome goes to {@code
   * metrics}.
   */
  public KubernetesRuntime(
      KubernetesClient client,
      KubernetesSettings settings,
      Clock clock,
      Optional<WorkspaceStore> workspaces,
      OperatorMetrics metrics) {
    this.client = Objects.requireNonNull(client, "client");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.workspaces = Objects.requireNonNull(workspaces, "workspaces");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public BoxRuntime kind() {
    return BoxRuntime.KUBERNETES;
  }

  /**
   * The data of the box's {@link BoxResources#SECRETS} Secret, decoded. The operator may read
   * Secrets only where its {@link BoxResources#SECRETS_ACCESS} RoleBinding lets it: a namespace
   * made before that binding existed gets it here.
   */
  @Override
  public Map<String, String> storedSecrets(Box box) {
    String ns = BoxResources.namespaceName(box, settings);
    Secret secret;
    try {
      secret = client.secrets().inNamespace(ns).withName(BoxResources.SECRETS).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() != FORBIDDEN) {
        throw e;
      }
      Namespace existing = client.namespaces().withName(ns).get();
      if (existing == null) {
        return Map.of();
      }
      requireOwned(existing, box.id());
      if (existing.getMetadata().getDeletionTimestamp() != null) {
        throw new UnavailableException("namespace " + ns + " is still being deleted", null);
      }
      upsert(BoxResources.secretsAccess(ns, BoxResources.labels(box)));
      secret =
          whenAllowed(() -> client.secrets().inNamespace(ns).withName(BoxResources.SECRETS).get());
    }
    if (secret == null || secret.getData() == null) {
      return Map.of();
    }
    Map<String, String> plain = new HashMap<>();
    secret
        .getData()
        .forEach(
            (k, v) -> {
              if (v != null) {
                plain.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
              }
            });
    return plain;
  }

  /**
   * {@link #apply(BoxResources.Desired)} of the box's objects. Returns false: a changed config
   * rolls the pod through its config-hash annotation, but only {@link #restart} is sure to.
   */
  @Override
  public boolean apply(Box box, BoxResources.Secrets secrets) {
    apply(BoxResources.desired(box, settings, secrets, restore(box)));
    return false;
  }

  /**
   * The restore of the box's customer's workspace, with a URL signed now: every apply re-signs it
   * (it only has to be valid when a pod starts on an empty volume, and an apply comes with every
   * provision, update and repair).
   */
  private Optional<WorkspaceBackupResources.Restore> restore(Box box) {
    return workspaces.map(
        store ->
            new WorkspaceBackupResources.Restore(
                store.restoreUrl(box.customerId(), clock), store.egressCidrs(), store.port()));
  }

  @Override
  public boolean scale(Box box, boolean running) {
    return scale(box, running ? 1 : 0);
  }

  @Override
  public boolean restart(Box box) {
    return rollout(box);
  }

  @Override
  public Optional<String> namespace(Box box) {
    return Optional.of(BoxResources.namespaceName(box, settings));
  }

  /**
   * The managed namespaces named with this installation's prefix (operator.kubernetes.namespace-
   * prefix), so that operators of other installations sharing the cluster are safe, each with its
   * gateway Deployment: running when it wants a replica, and the settings it was applied with. Two
   * requests: the namespaces, and the managed Deployments of all namespaces.
   */
  @Override
  public List<Placed> list() {
    Map<String, Deployment> gateways = gateways();
    return listManaged().stream()
        .filter(ns -> ns.namespace().startsWith(settings.namespacePrefix()))
        .map(
            ns -> {
              Deployment gateway = gateways.get(ns.namespace());
              boolean running = wantsReplica(gateway);
              String settingsHash =
                  gateway == null || gateway.getMetadata().getAnnotations() == null
                      ? null
                      : gateway
                          .getMetadata()
                          .getAnnotations()
                          .get(BoxResources.SETTINGS_HASH_ANNOTATION);
              return new Placed(
                  ns.boxId(), ns.namespace(), ns.terminating(), running, settingsHash);
            })
        .toList();
  }

  /**
   * The boxes of this installation whose gateway is meant to run (its Deployment wants a replica)
   * in a namespace that is not being deleted and names its customer: what the nightly workspace
   * snapshot copies. The same two requests as {@link #list()}.
   */
  public List<WorkspaceBackupResources.SnapshotTarget> listRunning() {
    Map<String, Deployment> gateways = gateways();
    return listManaged().stream()
        .filter(ns -> ns.namespace().startsWith(settings.namespacePrefix()))
        .filter(ns -> !ns.terminating() && ns.customerId() != null)
        .filter(ns -> wantsReplica(gateways.get(ns.namespace())))
        .map(
            ns ->
                new WorkspaceBackupResources.SnapshotTarget(
                    ns.boxId(), ns.customerId(), ns.namespace()))
        .toList();
  }

  /** The managed gateway Deployments of all namespaces, by namespace. */
  private Map<String, Deployment> gateways() {
    Map<String, Deployment> gateways = new HashMap<>();
    for (Deployment deployment :
        client
            .apps()
            .deployments()
            .inAnyNamespace()
            .withLabel(BoxResources.MANAGED_BY_LABEL, BoxResources.MANAGED_BY)
            .list()
            .getItems()) {
      if (BoxResources.DEPLOYMENT.equals(deployment.getMetadata().getName())) {
        gateways.put(deployment.getMetadata().getNamespace(), deployment);
      }
    }
    return gateways;
  }

  private static boolean wantsReplica(Deployment gateway) {
    Integer replicas = gateway == null ? null : gateway.getSpec().getReplicas();
    return gateway != null && (replicas == null || replicas > 0);
  }

  @Override
  public void delete(Placed placed) {
    delete(placed.boxId(), placed.location());
  }

  /** A namespace the operator manages, as {@link #listManaged()} finds it. */
  public record ManagedBox(UUID boxId, UUID customerId, String namespace, boolean terminating) {}

  /**
   * Creates what is missing and replaces what differs, in dependency order. The state volume is
   * only ever grown (its spec is otherwise immutable); a pod restart requested by {@link #rollout}
   * is kept.
   *
   * @throws IllegalStateException when the namespace exists but belongs to something else
   * @throws UnavailableException when the namespace is still being deleted (retry later)
   */
  public void apply(BoxResources.Desired desired) {
    Objects.requireNonNull(desired, "desired");
    Namespace existing = client.namespaces().withName(desired.namespaceName()).get();
    if (existing != null) {
      requireOwned(existing, desired.boxId());
      if (existing.getMetadata().getDeletionTimestamp() != null) {
        throw new UnavailableException(
            "namespace " + desired.namespaceName() + " is still being deleted", null);
      }
    }
    for (HasMetadata item : desired.inOrder()) {
      if (item instanceof PersistentVolumeClaim claim) {
        applyClaim(claim);
      } else {
        upsert(item);
      }
    }
  }

  /**
   * Sets the gateway's replicas (0 suspends the box, 1 resumes it).
   *
   * @return false when the box has no Deployment (nothing applied yet)
   */
  public boolean scale(Box box, int replicas) {
    if (replicas < 0 || replicas > 1) {
      throw new IllegalArgumentException("a box runs 0 or 1 gateway, not " + replicas);
    }
    return patchDeployment(box, "{\"spec\":{\"replicas\":" + replicas + "}}");
  }

  /**
   * Restarts the gateway by changing its pod template (the annotation kubectl rollout restart
   * uses); the Recreate strategy stops the old pod first.
   *
   * @return false when the box has no Deployment
   */
  public boolean rollout(Box box) {
    String patch =
        "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\""
            + BoxResources.RESTARTED_AT_ANNOTATION
            + "\":\""
            + Instant.now(clock)
            + "\"}}}}}";
    return patchDeployment(box, patch);
  }

  /**
   * True when a gateway pod of the box has been bound to a node (its PodScheduled condition is
   * True): the cluster found room for it, and the image pull and the start follow.
   */
  @Override
  public boolean isScheduled(Box box) {
    try {
      return scheduledPod(box);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        // RBAC without the pods rule (operator/rbac.yaml): the job learns it from availability.
        return false;
      }
      throw e;
    }
  }

  private boolean scheduledPod(Box box) {
    return client
        .pods()
        .inNamespace(BoxResources.namespaceName(box, settings))
        .withLabel(BoxResources.BOX_LABEL, box.id().toString())
        .list()
        .getItems()
        .stream()
        .filter(pod -> pod.getStatus() != null && pod.getStatus().getConditions() != null)
        .flatMap(pod -> pod.getStatus().getConditions().stream())
        .anyMatch(c -> "PodScheduled".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * True when the gateway Deployment is up to date and has an available replica: status
   * availableReplicas at least 1, its Available condition (when reported) True, and the status
   * observed for the current generation.
   */
  @Override
  public boolean isAvailable(Box box) {
    Deployment deployment = deployment(box);
    if (deployment == null || deployment.getStatus() == null) {
      return false;
    }
    DeploymentStatus status = deployment.getStatus();
    Long generation = deployment.getMetadata().getGeneration();
    Long observed = status.getObservedGeneration();
    if (generation != null && observed != null && observed < generation) {
      return false;
    }
    if (status.getAvailableReplicas() == null || status.getAvailableReplicas() < 1) {
      return false;
    }
    Optional<DeploymentCondition> available =
        Optional.ofNullable(status.getConditions()).orElse(List.of()).stream()
            .filter(c -> "Available".equals(c.getType()))
            .findFirst();
    return available.map(c -> "True".equals(c.getStatus())).orElse(true);
  }

  /**
   * Deletes the box's namespace (everything in it goes with it) and waits until it is gone. Does
   * nothing when it is already gone.
   *
   * @throws IllegalStateException when the namespace belongs to something else
   * @throws UnavailableException when it is still there after operator.kubernetes.delete-timeout
   */
  @Override
  public void delete(Box box) {
    String namespace = BoxResources.namespaceName(box, settings);
    workspaces.ifPresent(store -> archiveWorkspace(box, namespace, store));
    delete(box.id(), namespace);
  }

  /**
   * Archives the box's workspace to the store before its namespace goes: stops the gateway (a
   * consistent copy, and the volume free for the Job's pod), runs the {@link
   * WorkspaceBackupResources#ARCHIVE_JOB} Job (the one a previous attempt started, if any) and
   * waits for it up to the store's archive-timeout. A failure or a timeout is logged and counted
   * ({@code openclaw_workspace_archives_total{reason="destroy",outcome="failed"}}, alert
   * WorkspaceArchiveFailed), and the box is deleted all the same: a cancelled customer's box must
   * go within minutes, whatever the storage does. Nothing to archive when the namespace or its
   * volume is gone already.
   */
  private void archiveWorkspace(Box box, String namespace, WorkspaceStore store) {
    Namespace existing = client.namespaces().withName(namespace).get();
    if (existing == null || existing.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    requireOwned(existing, box.id());
    if (client
            .persistentVolumeClaims()
            .inNamespace(namespace)
            .withName(BoxResources.STATE_PVC)
            .get()
        == null) {
      return;
    }
    scale(box, 0);
    awaitGatewayStopped(box, namespace);
    var jobs = client.batch().v1().jobs().inNamespace(namespace);
    Job job = jobs.withName(WorkspaceBackupResources.ARCHIVE_JOB).get();
    if (job == null) {
      Job desired =
          WorkspaceBackupResources.archiveJob(
              box, settings, store.archiveUrl(box.customerId(), clock), store.archiveTimeout());
      try {
        client.resource(desired).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != CONFLICT) {
          throw e;
        }
      }
    }
    Instant deadline = clock.instant().plus(store.archiveTimeout());
    String problem;
    while (true) {
      job = jobs.withName(WorkspaceBackupResources.ARCHIVE_JOB).get();
      if (job != null && jobSucceeded(job)) {
        metrics.workspaceArchived(OperatorMetrics.ArchiveReason.DESTROY, true);
        LOG.info(
            "box "
                + box.id()
                + ": workspace archived to "
                + store.bucket()
                + "/"
                + WorkspaceStore.objectKey(box.customerId()));
        return;
      }
      if (job != null && jobFailed(job)) {
        problem =
            "its Job failed (kubectl -n "
                + namespace
                + " logs job/"
                + job.getMetadata().getName()
                + ", while it lasts)";
        break;
      }
      if (clock.instant().isAfter(deadline)) {
        problem = "its Job did not finish within " + store.archiveTimeout();
        break;
      }
      sleep(POLL);
    }
    metrics.workspaceArchived(OperatorMetrics.ArchiveReason.DESTROY, false);
    LOG.warning(
        "box "
            + box.id()
            + " of customer "
            + box.customerId()
            + ": workspace NOT archived, "
            + problem
            + "; deleting the box anyway (an older archive of the customer, if any, is kept)");
  }

  /**
   * Waits up to {@link #GATEWAY_STOP} for the gateway's pod to be gone, so that the archive is not
   * taken while the agent still writes; after that the archive runs all the same.
   */
  private void awaitGatewayStopped(Box box, String namespace) {
    Instant until = clock.instant().plus(GATEWAY_STOP);
    while (clock.instant().isBefore(until)) {
      try {
        boolean gone =
            client
                .pods()
                .inNamespace(namespace)
                .withLabel(BoxResources.BOX_LABEL, box.id().toString())
                .withLabel(BoxResources.NAME_LABEL, BoxResources.GATEWAY_NAME)
                .list()
                .getItems()
                .isEmpty();
        if (gone) {
          return;
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() == FORBIDDEN) {
          return; // RBAC without the pods rule: the grace period is all we can wait for
        }
        throw e;
      }
      sleep(POLL);
    }
  }

  static boolean jobSucceeded(Job job) {
    return job.getStatus() != null
        && ((job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0)
            || condition(job, "Complete"));
  }

  static boolean jobFailed(Job job) {
    return job.getStatus() != null && condition(job, "Failed");
  }

  private static boolean condition(Job job, String type) {
    return Optional.ofNullable(job.getStatus().getConditions()).orElse(List.of()).stream()
        .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** {@link #delete(Box)} by box id and namespace, for namespaces whose box is gone. */
  public void delete(UUID boxId, String namespace) {
    Namespace existing = client.namespaces().withName(namespace).get();
    if (existing == null) {
      return;
    }
    requireOwned(existing, boxId);
    if (existing.getMetadata().getDeletionTimestamp() == null) {
      client.namespaces().withName(namespace).delete();
    }
    Instant deadline = clock.instant().plus(settings.deleteTimeout());
    while (client.namespaces().withName(namespace).get() != null) {
      if (clock.instant().isAfter(deadline)) {
        throw new UnavailableException(
            "namespace "
                + namespace
                + " is still terminating after "
                + settings.deleteTimeout()
                + "; retry later",
            null);
      }
      sleep(POLL);
    }
  }

  /** Every namespace labelled as managed by the operator with a box id, for a reconciler. */
  public List<ManagedBox> listManaged() {
    List<ManagedBox> boxes = new ArrayList<>();
    for (Namespace ns :
        client
            .namespaces()
            .withLabel(BoxResources.MANAGED_BY_LABEL, BoxResources.MANAGED_BY)
            .list()
            .getItems()) {
      Map<String, String> labels =
          Optional.ofNullable(ns.getMetadata().getLabels()).orElse(Map.of());
      Optional<UUID> boxId = uuid(labels.get(BoxResources.BOX_LABEL));
      if (boxId.isEmpty()) {
        continue;
      }
      boxes.add(
          new ManagedBox(
              boxId.get(),
              uuid(labels.get(BoxResources.CUSTOMER_LABEL)).orElse(null),
              ns.getMetadata().getName(),
              ns.getMetadata().getDeletionTimestamp() != null));
    }
    return boxes;
  }

  private Deployment deployment(Box box) {
    return client
        .apps()
        .deployments()
        .inNamespace(BoxResources.namespaceName(box, settings))
        .withName(BoxResources.DEPLOYMENT)
        .get();
  }

  private boolean patchDeployment(Box box, String mergePatch) {
    try {
      client
          .apps()
          .deployments()
          .inNamespace(BoxResources.namespaceName(box, settings))
          .withName(BoxResources.DEPLOYMENT)
          .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Create, or replace with the live resourceVersion; retried when someone else wrote first, and a
   * Secret while the API server's authorizer has not yet seen the RoleBinding written just before.
   */
  private void upsert(HasMetadata desired) {
    for (int attempt = 1; ; attempt++) {
      try {
        HasMetadata live = client.resource(desired).get();
        if (live == null) {
          client.resource(desired).create();
        } else {
          HasMetadata next = client.getKubernetesSerialization().clone(desired);
          next.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
          if (next instanceof Deployment deployment && live instanceof Deployment current) {
            keepRestartedAt(deployment, current);
          }
          client.resource(next).update();
        }
        return;
      } catch (KubernetesClientException e) {
        boolean retry =
            e.getCode() == CONFLICT || (e.getCode() == FORBIDDEN && desired instanceof Secret);
        if (!retry || attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        if (e.getCode() == FORBIDDEN) {
          sleep(POLL);
        }
      }
    }
  }

  /** A read of a box's Secret, retried while a new RoleBinding is not yet in force. */
  private <T> T whenAllowed(Supplier<T> read) {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != FORBIDDEN || attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        sleep(POLL);
      }
    }
  }

  /** A rollout's restart stamp survives re-applying, else every apply would restart the pod. */
  private static void keepRestartedAt(Deployment next, Deployment live) {
    String stamp =
        Optional.ofNullable(live.getSpec())
            .map(s -> s.getTemplate())
            .map(t -> t.getMetadata())
            .map(m -> m.getAnnotations())
            .map(a -> a.get(BoxResources.RESTARTED_AT_ANNOTATION))
            .orElse(null);
    if (stamp != null) {
      var meta = next.getSpec().getTemplate().getMetadata();
      Map<String, String> annotations =
          new HashMap<>(Optional.ofNullable(meta.getAnnotations()).orElse(Map.of()));
      annotations.put(BoxResources.RESTARTED_AT_ANNOTATION, stamp);
      meta.setAnnotations(annotations);
    }
  }

  /** Created when missing; otherwise only its labels and a larger size are written. */
  private void applyClaim(PersistentVolumeClaim desired) {
    PersistentVolumeClaim live = client.resource(desired).get();
    if (live == null) {
      try {
        client.resource(desired).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != CONFLICT) {
          throw e;
        }
        live = client.resource(desired).get();
      }
    }
    Quantity want = desired.getSpec().getResources().getRequests().get("storage");
    Quantity have =
        Optional.ofNullable(live.getSpec().getResources())
            .map(r -> r.getRequests())
            .map(r -> r.get("storage"))
            .orElse(null);
    boolean grow = have == null || want.compareTo(have) > 0;
    boolean relabel =
        !Objects.equals(desired.getMetadata().getLabels(), live.getMetadata().getLabels());
    if (!grow && !relabel) {
      return;
    }
    Map<String, Object> patch = new HashMap<>();
    patch.put("metadata", Map.of("labels", desired.getMetadata().getLabels()));
    if (grow) {
      patch.put("spec", Map.of("resources", Map.of("requests", Map.of("storage", want))));
    }
    client
        .persistentVolumeClaims()
        .inNamespace(desired.getMetadata().getNamespace())
        .withName(desired.getMetadata().getName())
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            client.getKubernetesSerialization().asJson(patch));
  }

  private static void requireOwned(Namespace namespace, UUID boxId) {
    Map<String, String> labels =
        Optional.ofNullable(namespace.getMetadata().getLabels()).orElse(Map.of());
    if (!BoxResources.MANAGED_BY.equals(labels.get(BoxResources.MANAGED_BY_LABEL))
        || !boxId.toString().equals(labels.get(BoxResources.BOX_LABEL))) {
      throw new IllegalStateException(
          "namespace "
              + namespace.getMetadata().getName()
              + " exists but is not box "
              + boxId
              + "'s: refusing to touch it");
    }
  }

  private static Optional<UUID> uuid(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(UUID.fromString(value));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for Kubernetes", e);
    }
  }
}
