package cloud.openclaw.operator.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Stands in for the Deployment controller and kubelet, which the CRUD mock does not have: writes a
 * Deployment's status (JSON merge patch on /status).
 */
final class Kubelet {
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
