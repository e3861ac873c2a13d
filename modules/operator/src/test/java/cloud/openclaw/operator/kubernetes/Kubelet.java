package cloud.openclaw.operator.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.function.Predicate;

/**
 * Stands in for the Deployment controller and kubelet, which the CRUD mock does not have: writes a
 * Deployment's status (JSON merge patch on /status). Published in the operator's test-jar: the
 * operator benchmark runs its API server the same way.
 */
public final class Kubelet {
  private final KubernetesClient client;

  Kubelet(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The Deployment controller made a gateway pod of the box; with {@code scheduled}, the scheduler
   * bound it to a node (condition PodScheduled True), else it waits (PodScheduled False).
   */
  void createPod(String namespace, java.util.UUID boxId, boolean scheduled) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName("gateway-" + java.util.UUID.randomUUID().toString().substring(0, 8))
            .withLabels(
                java.util.Map.of(
                    BoxResources.BOX_LABEL,
                    boxId.toString(),
                    BoxResources.NAME_LABEL,
                    BoxResources.GATEWAY_NAME))
            .endMetadata()
            .withNewStatus()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus(scheduled ? "True" : "False")
            .endCondition()
            .endStatus()
            .build();
    client.resource(pod).create();
  }

  /**
   * Plays the Job controller for box namespaces' workspace archive Jobs until the returned thread
   * is interrupted: every 100 ms, one without a status ends as {@code succeeded} says.
   */
  public static Thread finishArchiveJobs(KubernetesClient client, boolean succeeded) {
    return Thread.ofVirtual()
        .name("job-controller")
        .start(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  for (var job :
                      new ArrayList<>(
                          client.batch().v1().jobs().inAnyNamespace().list().getItems())) {
                    if (job.getStatus() == null
                        && WorkspaceBackupResources.ARCHIVE_JOB.equals(
                            job.getMetadata().getName())) {
                      finishJob(client, job.getMetadata().getNamespace(), succeeded);
                    }
                  }
                } catch (RuntimeException e) {
                  // a namespace deleted under us: try again next round
                }
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
  }

  /** The box namespace's archive Job ended: Complete with a succeeded pod, or Failed. */
  public static void finishJob(KubernetesClient client, String namespace, boolean succeeded) {
    finishJob(client, namespace, WorkspaceBackupResources.ARCHIVE_JOB, succeeded);
  }

  /** The Job {@code name} of the namespace ended: Complete with a succeeded pod, or Failed. */
  public static void finishJob(
      KubernetesClient client, String namespace, String name, boolean succeeded) {
    String status =
        succeeded
            ? """
              {"status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}}
              """
            : """
              {"status": {"failed": 3, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}}
              """;
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(name)
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), status);
  }

  /** The gateway's pod came up and passed its readiness probe. */
  void markAvailable(String namespace) {
    status(
        namespace,
        """
        {"status": {"observedGeneration": %d, "replicas": 1, "readyReplicas": 1,
          "availableReplicas": 1, "updatedReplicas": 1,
          "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}]}}
        """
            .formatted(generation(namespace)));
  }

  /** The pod is gone (suspended, crashed or being recreated). */
  void markUnavailable(String namespace) {
    status(
        namespace,
        """
        {"status": {"observedGeneration": %d, "replicas": 0, "readyReplicas": 0,
          "availableReplicas": 0, "updatedReplicas": 0,
          "conditions": [{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}]}}
        """
            .formatted(generation(namespace)));
  }

  /**
   * Plays its part for every Deployment until the returned thread is interrupted: every 100 ms, one
   * that wants a replica becomes available for its generation, one scaled to 0 unavailable.
   */
  public static Thread followAll(KubernetesClient client) {
    return followAll(client, namespace -> true);
  }

  /**
   * Like {@link #followAll(KubernetesClient)}, for the namespaces {@code serves} accepts at the
   * time: the gateway of any other namespace never becomes available (an image that will not start)
   * until {@code serves} accepts it again.
   */
  public static Thread followAll(KubernetesClient client, Predicate<String> serves) {
    return Thread.ofVirtual().name("kubelet").start(() -> followAllLoop(client, serves));
  }

  private static void followAllLoop(KubernetesClient client, Predicate<String> serves) {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        for (Deployment d :
            new ArrayList<>(client.apps().deployments().inAnyNamespace().list().getItems())) {
          if (!serves.test(d.getMetadata().getNamespace())) {
            continue;
          }
          int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
          Long generation = d.getMetadata().getGeneration();
          long gen = generation == null ? 1 : generation;
          Integer available = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
          Long observed = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
          int want = replicas > 0 ? 1 : 0;
          if (observed != null && observed == gen && available != null && available == want) {
            continue;
          }
          String condition = want == 1 ? "True" : "False";
          client
              .apps()
              .deployments()
              .inNamespace(d.getMetadata().getNamespace())
              .withName(d.getMetadata().getName())
              .subresource("status")
              .patch(
                  PatchContext.of(PatchType.JSON_MERGE),
                  """
                  {"status": {"observedGeneration": %d, "replicas": %d, "readyReplicas": %d,
                    "availableReplicas": %d, "updatedReplicas": %d,
                    "conditions": [{"type": "Available", "status": "%s"}]}}
                  """
                      .formatted(gen, want, want, want, want, condition));
        }
      } catch (RuntimeException e) {
        // a namespace deleted or a Deployment changed under us: try again next round
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private long generation(String namespace) {
    Long generation =
        client
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withName(BoxResources.DEPLOYMENT)
            .require()
            .getMetadata()
            .getGeneration();
    return generation == null ? 1 : generation;
  }

  private void status(String namespace, String patch) {
    client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(BoxResources.DEPLOYMENT)
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }
}
