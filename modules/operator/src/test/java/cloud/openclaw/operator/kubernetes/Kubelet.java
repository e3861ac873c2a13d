package cloud.openclaw.operator.kubernetes;

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
