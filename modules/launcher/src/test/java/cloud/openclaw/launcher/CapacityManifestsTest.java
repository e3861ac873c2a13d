package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The platform's capacity objects (nixos/platform/capacity.nix, docs/capacity.md) as rendered:
 * every container of every workload asks for CPU and memory and has a memory limit, each of our
 * services has a disruption budget that lets a node drain without taking the service down, and
 * every node keeps the gateway image the operator's boxes run. Skipped without nix-instantiate,
 * except in CI (like DeploymentManifestsTest).
 */
class CapacityManifestsTest {
  private static final String NAME_LABEL = "app.kubernetes.io/name";
  private static final List<String> SERVICES =
      List.of("api", "token-proxy", "operator", "billing-worker", "onboarding-agent");

  private static final List<JsonNode> objects = new ArrayList<>();

  @BeforeAll
  static void render() throws Exception {
    PlatformRender.manifests().forEach(file -> file.forEach(objects::add));
  }

  @Test
  void everyContainerOfEveryWorkloadHasRequestsAndAMemoryLimit() {
    Map<String, JsonNode> containers = new TreeMap<>();
    for (JsonNode object : objects) {
      JsonNode podSpec = podSpec(object);
      if (podSpec == null) {
        continue;
      }
      String workload = object.path("kind").asText() + "/" + object.at("/metadata/name").asText();
      for (String list : List.of("initContainers", "containers")) {
        podSpec
            .path(list)
            .forEach(c -> containers.put(workload + "/" + c.path("name").asText(), c));
      }
    }
    // The workloads this platform renders today; any added later is held to the same rule.
    assertThat(containers.keySet())
        .contains(
            "StatefulSet/postgres/postgres",
            "StatefulSet/redis/redis",
            "CronJob/postgres-backup/pg-dump",
            "DaemonSet/gateway-image/gateway-image")
        .containsAll(SERVICES.stream().map(s -> "Deployment/" + s + "/" + s).toList());
    containers.forEach(
        (name, container) -> {
          JsonNode resources = container.path("resources");
          assertThat(resources.at("/requests/cpu").asText()).as(name + " cpu request").isNotEmpty();
          String request = resources.at("/requests/memory").asText();
          String limit = resources.at("/limits/memory").asText();
          assertThat(request).as(name + " memory request").isNotEmpty();
          assertThat(limit).as(name + " memory limit").isNotEmpty();
          assertThat(Quantity.getAmountInBytes(new Quantity(request)))
              .as(name + ": memory request within its limit")
              .isPositive()
              .isLessThanOrEqualTo(Quantity.getAmountInBytes(new Quantity(limit)));
        });
  }

  @Test
  void everyServiceCanLoseAPodToADrainAndServicesWithTwoKeepOne() {
    for (String service : SERVICES) {
      JsonNode deployment = object("Deployment", service);
      List<JsonNode> budgets =
          objects.stream()
              .filter(o -> o.path("kind").asText().equals("PodDisruptionBudget"))
              .filter(o -> selects(o.at("/spec/selector"), deployment.at("/spec/template")))
              .toList();
      assertThat(budgets).as(service + "'s disruption budgets").hasSize(1);
      JsonNode budget = budgets.getFirst();
      assertThat(budget.at("/metadata/namespace").asText())
          .isEqualTo(deployment.at("/metadata/namespace").asText());
      int replicas = deployment.at("/spec/replicas").asInt();
      // What the eviction API allows with every replica ready (integers only: no percentages).
      JsonNode minAvailable = budget.at("/spec/minAvailable");
      JsonNode maxUnavailable = budget.at("/spec/maxUnavailable");
      assertThat(minAvailable.isMissingNode() != maxUnavailable.isMissingNode())
          .as(service + ": exactly one of minAvailable and maxUnavailable")
          .isTrue();
      int evictable =
          minAvailable.isMissingNode()
              ? Math.min(replicas, maxUnavailable.asInt())
              : replicas - minAvailable.asInt();
      assertThat(evictable).as(service + ": a drain may evict a pod").isGreaterThanOrEqualTo(1);
      if (replicas > 1) {
        assertThat(replicas - evictable).as(service + ": pods kept through a drain").isPositive();
      }
      assertThat(budget.at("/spec/unhealthyPodEvictionPolicy").asText()).isEqualTo("AlwaysAllow");
    }
  }

  @Test
  void everyNodeKeepsTheGatewayImageTheOperatorRuns() {
    JsonNode daemonSet = object("DaemonSet", "gateway-image");
    JsonNode podSpec = podSpec(daemonSet);
    String operatorImage =
        env(object("Deployment", "operator"), "OPENCLAW_OPERATOR_KUBERNETES_IMAGE");
    assertThat(podSpec.path("containers")).hasSize(1);
    JsonNode container = podSpec.path("containers").get(0);
    assertThat(container.path("image").asText()).isEqualTo(operatorImage).isNotBlank();
    assertThat(container.path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
    // It keeps running (the image in use is never garbage-collected) and does nothing else.
    assertThat(container.path("command").toString()).isEqualTo("[\"sleep\",\"infinity\"]");
    assertThat(podSpec.path("initContainers").isMissingNode()).isTrue();
    // The operator sets no node selector on the boxes (docs/deploy.md): any node may get one.
    assertThat(podSpec.path("nodeSelector").isMissingNode()).isTrue();
    assertThat(podSpec.path("affinity").isMissingNode()).isTrue();
    // openclaw-system enforces the "restricted" Pod Security Standard.
    assertThat(podSpec.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(podSpec.at("/securityContext/seccompProfile/type").asText())
        .isEqualTo("RuntimeDefault");
    assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(container.at("/securityContext/capabilities/drop").toString())
        .isEqualTo("[\"ALL\"]");
    assertThat(podSpec.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(daemonSet.at("/metadata/namespace").asText()).isEqualTo("openclaw-system");
  }

  /** The pod spec of a workload (a CronJob's through its job template), else null. */
  private static JsonNode podSpec(JsonNode object) {
    return switch (object.path("kind").asText()) {
      case "Deployment", "StatefulSet", "DaemonSet", "Job" -> object.at("/spec/template/spec");
      case "CronJob" -> object.at("/spec/jobTemplate/spec/template/spec");
      default -> null;
    };
  }

  private static JsonNode object(String kind, String name) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals(kind))
        .filter(o -> o.at("/metadata/name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  /** Whether a label selector (matchLabels only: the budgets use no expressions) selects a pod. */
  private static boolean selects(JsonNode selector, JsonNode podTemplate) {
    assertThat(selector.path("matchExpressions").isMissingNode()).isTrue();
    JsonNode labels = podTemplate.at("/metadata/labels");
    List<Map.Entry<String, JsonNode>> wanted = new ArrayList<>();
    selector.path("matchLabels").fields().forEachRemaining(wanted::add);
    return !wanted.isEmpty()
        && wanted.stream()
            .allMatch(e -> e.getValue().asText().equals(labels.path(e.getKey()).asText(null)))
        && labels.path(NAME_LABEL).isTextual();
  }

  private static String env(JsonNode deployment, String name) {
    for (JsonNode variable : deployment.at("/spec/template/spec/containers/0/env")) {
      if (variable.path("name").asText().equals(name)) {
        return variable.path("value").asText();
      }
    }
    throw new AssertionError("no " + name);
  }
}
