package cloud.openclaw.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * operator/rbac.yaml grants what KubernetesRuntime uses and nothing more: every request the runtime
 * makes against the API server mock is mapped to (API group, resource, verb) and must be granted.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesRbacTest {
  KubernetesClient client;
  KubernetesMockServer server;

  static List<HasMetadata> manifests() {
    try (InputStream in = KubernetesRbacTest.class.getResourceAsStream("/operator/rbac.yaml")) {
      Object parsed = Serialization.unmarshal(in);
      @SuppressWarnings("unchecked")
      List<HasMetadata> items =
          parsed instanceof List<?> list ? (List<HasMetadata>) list : List.of((HasMetadata) parsed);
      return items;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static ClusterRole role() {
    return role("openclaw-operator");
  }

  /** The Secret rights the operator binds in each box namespace. */
  static ClusterRole boxRole() {
    return role(BoxResources.SECRETS_ROLE);
  }

  static ClusterRole role(String name) {
    return manifests().stream()
        .filter(ClusterRole.class::isInstance)
        .map(ClusterRole.class::cast)
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** group/resource:verb for every rule of the ClusterRole but the one naming what it may bind. */
  static Set<String> granted() {
    return granted(role());
  }

  static Set<String> granted(ClusterRole role) {
    Set<String> granted = new TreeSet<>();
    for (PolicyRule rule : role.getRules()) {
      if (rule.getVerbs().equals(List.of("bind"))) {
        continue;
      }
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(group + "/" + resource + ":" + verb);
          }
        }
      }
    }
    return granted;
  }

  @Test
  void theManifestsAreAServiceAccountABoundClusterRoleAndNoWildcards() {
    List<HasMetadata> items = manifests();
    ServiceAccount account =
        items.stream()
            .filter(ServiceAccount.class::isInstance)
            .map(ServiceAccount.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(account.getMetadata().getName()).isEqualTo("openclaw-operator");
    assertThat(account.getMetadata().getNamespace()).isEqualTo("openclaw-system");
    ClusterRoleBinding binding =
        items.stream()
            .filter(ClusterRoleBinding.class::isInstance)
            .map(ClusterRoleBinding.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role().getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo("openclaw-operator");
              assertThat(s.getNamespace()).isEqualTo("openclaw-system");
            });
    for (ClusterRole role : List.of(role(), boxRole())) {
      for (PolicyRule rule : role.getRules()) {
        assertThat(rule.getVerbs()).doesNotContain("*");
        assertThat(rule.getResources()).doesNotContain("*");
        assertThat(rule.getApiGroups()).doesNotContain("*");
        assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        assertThat(rule.getVerbs()).doesNotContain("escalate", "impersonate");
        if (rule.getVerbs().contains("bind")) {
          // The one role it binds, and only that.
          assertThat(rule.getVerbs()).containsExactly("bind");
          assertThat(rule.getResources()).containsExactly("clusterroles");
          assertThat(rule.getResourceNames()).containsExactly(BoxResources.SECRETS_ROLE);
        } else {
          assertThat(rule.getResourceNames()).isNullOrEmpty();
        }
      }
    }
    assertThat(granted())
        .noneMatch(g -> g.contains("secrets") || g.contains("/roles") || g.contains("clusterrole"))
        .noneMatch(g -> g.contains("nodes") || g.contains("pods/"));
    assertThat(granted()).filteredOn(g -> g.startsWith("/pods:")).containsExactly("/pods:list");
    assertThat(granted(boxRole()))
        .containsExactly("/secrets:create", "/secrets:get", "/secrets:update");
    assertThat(items)
        .filteredOn(ClusterRoleBinding.class::isInstance)
        .as("the box role is bound per box namespace, never cluster-wide")
        .hasSize(1);
  }

  @Test
  void theOperatorBindsTheBoxRoleToItselfInTheBoxNamespace() {
    KubernetesSettings settings = TestBoxes.kubernetes();
    Box box = TestBoxes.box();
    RoleBinding binding = BoxResources.desired(box, settings, TestBoxes.secrets()).secretsAccess();
    assertThat(binding.getMetadata().getNamespace())
        .isEqualTo(BoxResources.namespaceName(box, settings));
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(boxRole().getMetadata().getName());
    ServiceAccount account =
        manifests().stream()
            .filter(ServiceAccount.class::isInstance)
            .map(ServiceAccount.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
              assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
            });
  }

  @Test
  void everyRequestTheRuntimeMakesIsGrantedAndEveryGrantIsUsed() throws Exception {
    drain();
    KubernetesSettings settings = TestBoxes.kubernetes();
    KubernetesRuntime runtime = new KubernetesRuntime(client, settings);
    Kubelet kubelet = new Kubelet(client);
    Box box = TestBoxes.box();
    String ns = BoxResources.namespaceName(box, settings);

    runtime.apply(BoxResources.desired(box, settings, TestBoxes.secrets()));
    runtime.apply(BoxResources.desired(box, settings, TestBoxes.secrets()));
    KubernetesSettings bigger =
        KubernetesSettings.from(
            TestBoxes.settings(Map.of("operator.kubernetes.state-size", "2Gi")));
    new KubernetesRuntime(client, bigger)
        .apply(BoxResources.desired(box, bigger, TestBoxes.secrets()));
    runtime.isAvailable(box);
    runtime.isScheduled(box);
    kubelet.markAvailable(ns);
    runtime.isAvailable(box);
    runtime.scale(box, 0);
    runtime.rollout(box);
    runtime.list();
    runtime.apply(
        BoxResources.desired(
            TestBoxes.box(box.id(), BoxDesiredState.SUSPENDED), settings, TestBoxes.secrets()));
    // With a workspace store: the archive Job (never finished here, so given up after a second).
    new KubernetesRuntime(
            client,
            settings,
            java.time.Clock.systemUTC(),
            java.util.Optional.of(
                new cloud.openclaw.operator.workspaces.WorkspaceStore(
                    java.net.URI.create("https://s3.example.test"),
                    "eu-central-1",
                    "bucket",
                    "AK",
                    "SK",
                    java.time.Duration.ofDays(7),
                    java.time.Duration.ofSeconds(1),
                    List.of())),
            cloud.openclaw.operator.OperatorMetrics.discarded())
        .delete(box);
    runtime.delete(box);

    Set<String> used = new TreeSet<>();
    Set<String> usedInBoxNamespace = new TreeSet<>();
    RecordedRequest request;
    while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      String permission = permission(request.getMethod(), request.getPath());
      if (permission == null) {
        continue;
      }
      if (permission.startsWith("/secrets:")) {
        assertThat(request.getPath()).startsWith("/api/v1/namespaces/" + ns + "/");
        usedInBoxNamespace.add(permission);
      } else {
        used.add(permission);
      }
    }
    assertThat(used).isNotEmpty();
    assertThat(granted()).containsAll(used);
    assertThat(used).as("granted but never used").containsAll(granted());
    assertThat(usedInBoxNamespace).isEqualTo(granted(boxRole()));
  }

  private void drain() throws InterruptedException {
    while (server.takeRequest(50, TimeUnit.MILLISECONDS) != null) {
      // requests of earlier tests
    }
  }

  /**
   * "group/resource:verb" for an API request; null for the test kubelet's status writes (the
   * operator never writes status).
   */
  static String permission(String method, String fullPath) {
    String path = fullPath.contains("?") ? fullPath.substring(0, fullPath.indexOf('?')) : fullPath;
    boolean watch = fullPath.contains("watch=true");
    String[] parts = path.replaceFirst("^/", "").split("/");
    String group;
    int rest;
    if (parts[0].equals("api")) {
      group = "";
      rest = 2;
    } else if (parts[0].equals("apis")) {
      group = parts[1];
      rest = 3;
    } else {
      throw new AssertionError("not an API path: " + fullPath);
    }
    List<String> tail = List.of(parts).subList(rest, parts.length);
    String resource;
    boolean named;
    String sub = null;
    if (tail.size() <= 2) {
      // namespaces or namespaces/{name}: cluster scoped
      resource = tail.get(0);
      named = tail.size() == 2;
    } else {
      resource = tail.get(2);
      named = tail.size() >= 4;
      sub = tail.size() >= 5 ? tail.get(4) : null;
    }
    if ("status".equals(sub)) {
      return null;
    }
    if (sub != null) {
      resource = resource + "/" + sub;
    }
    String verb =
        switch (method) {
          case "GET" -> watch ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> throw new AssertionError(method + " " + fullPath);
        };
    return group + "/" + resource + ":" + verb;
  }
}
