package cloud.openclaw.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.ThinkingLevel;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KubernetesRuntime against fabric8's API server mock in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class KubernetesRuntimeTest {
  KubernetesClient client;
  KubernetesMockServer server;

  final KubernetesSettings settings = TestBoxes.kubernetes();
  KubernetesRuntime runtime;
  Kubelet kubelet;

  @BeforeEach
  void setUp() {
    runtime = new KubernetesRuntime(client, settings);
    kubelet = new Kubelet(client);
  }

  BoxResources.Desired desired(Box box) {
    return BoxResources.desired(box, settings, TestBoxes.secrets());
  }

  @Test
  void applyCreatesEverythingAsDesired() {
    Box box = TestBoxes.box();
    BoxResources.Desired desired = desired(box);
    runtime.apply(desired);

    String ns = desired.namespaceName();
    for (HasMetadata want : desired.inOrder()) {
      HasMetadata got = client.resource(want).get();
      assertThat(got).as(want.getKind()).isNotNull();
      assertThat(got.getMetadata().getLabels())
          .as(want.getKind())
          .isEqualTo(want.getMetadata().getLabels());
    }
    Deployment deployment = client.apps().deployments().inNamespace(ns).withName("gateway").get();
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
    assertThat(pod.getContainers().getFirst().getSecurityContext().getReadOnlyRootFilesystem())
        .isTrue();
    assertThat(pod.getContainers().getFirst().getStartupProbe().getHttpGet().getPath())
        .isEqualTo("/startupz");
    assertThat(pod.getContainers().getFirst().getLivenessProbe().getHttpGet().getPath())
        .isEqualTo("/healthz");
    assertThat(deployment.getSpec()).isEqualTo(desired.deployment().getSpec());

    var policy = client.network().networkPolicies().inNamespace(ns).withName("gateway").get();
    assertThat(policy.getSpec()).isEqualTo(desired.networkPolicy().getSpec());
    assertThat(policy.getSpec().getIngress()).isEmpty();

    Secret secrets = client.secrets().inNamespace(ns).withName("gateway-secrets").get();
    assertThat(secrets.getStringData()).isNullOrEmpty();
    assertThat(decode(secrets.getData().get("bot-token")))
        .isEqualTo(TestBoxes.secrets().botToken());
    Secret config = client.secrets().inNamespace(ns).withName("gateway-config").get();
    assertThat(decode(config.getData().get("openclaw.json"))).contains("\"tokenFile\"");

    assertThat(
            client
                .serviceAccounts()
                .inNamespace(ns)
                .withName("gateway")
                .get()
                .getAutomountServiceAccountToken())
        .isFalse();
    assertThat(client.namespaces().withName(ns).get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");

    String everything =
        desired.inOrder().stream()
            .map(o -> Serialization.asJson(client.resource(o).get()))
            .collect(Collectors.joining());
    assertThat(everything.toLowerCase()).doesNotContain("moonshot");
  }

  @Test
  void applyTwiceGivesTheSameState() {
    Box box = TestBoxes.box();
    BoxResources.Desired applied = desired(box);
    runtime.apply(applied);
    runtime.apply(applied);
    assertThat(applied.inOrder())
        .as("apply leaves its input alone")
        .isEqualTo(desired(box).inOrder());
    List<String> first = snapshot(desired(box));
    runtime.apply(desired(box));
    runtime.apply(desired(box));
    assertThat(snapshot(desired(box))).isEqualTo(first);
    String ns = desired(box).namespaceName();
    assertThat(client.secrets().inNamespace(ns).list().getItems()).hasSize(2);
    assertThat(client.apps().deployments().inNamespace(ns).list().getItems()).hasSize(1);
    assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems()).hasSize(1);
    assertThat(client.namespaces().list().getItems()).hasSize(1);
  }

  /** Labels, annotations, spec and data of every object, without server-set fields. */
  List<String> snapshot(BoxResources.Desired desired) {
    List<String> out = new ArrayList<>();
    for (HasMetadata want : desired.inOrder()) {
      HasMetadata got = client.resource(want).get();
      var copy = client.getKubernetesSerialization().clone(got);
      copy.getMetadata().setResourceVersion(null);
      copy.getMetadata().setUid(null);
      copy.getMetadata().setCreationTimestamp(null);
      copy.getMetadata().setGeneration(null);
      copy.getMetadata().setManagedFields(null);
      out.add(Serialization.asJson(copy));
    }
    return out;
  }

  @Test
  void scaleToZeroAndBack() {
    Box box = TestBoxes.box();
    String ns = desired(box).namespaceName();
    assertThat(runtime.scale(box, 0)).as("nothing applied yet").isFalse();
    runtime.apply(desired(box));
    kubelet.markAvailable(ns);
    assertThat(runtime.isAvailable(box)).isTrue();

    assertThat(runtime.scale(box, 0)).isTrue();
    assertThat(runtime.scale(box, 0)).isTrue();
    assertThat(replicas(ns)).isZero();
    kubelet.markUnavailable(ns);
    assertThat(runtime.isAvailable(box)).isFalse();

    assertThat(runtime.scale(box, 1)).isTrue();
    assertThat(replicas(ns)).isEqualTo(1);
    kubelet.markAvailable(ns);
    assertThat(runtime.isAvailable(box)).isTrue();
    assertThatThrownBy(() -> runtime.scale(box, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSuspendedBoxIsAppliedWithNoReplicas() {
    UUID id = UUID.randomUUID();
    runtime.apply(desired(TestBoxes.box(id, BoxDesiredState.SUSPENDED)));
    String ns = desired(TestBoxes.box(id, BoxDesiredState.SUSPENDED)).namespaceName();
    assertThat(replicas(ns)).isZero();
    runtime.apply(desired(TestBoxes.box(id, BoxDesiredState.RUNNING)));
    assertThat(replicas(ns)).isEqualTo(1);
  }

  @Test
  void isAvailableFollowsTheDeploymentStatus() {
    Box box = TestBoxes.box();
    assertThat(runtime.isAvailable(box)).as("no namespace").isFalse();
    runtime.apply(desired(box));
    assertThat(runtime.isAvailable(box)).as("no status yet").isFalse();
    kubelet.markAvailable(desired(box).namespaceName());
    assertThat(runtime.isAvailable(box)).isTrue();
    assertThat(runtime.isAvailable(box)).isTrue();
  }

  @Test
  void isScheduledOnceAPodOfTheBoxIsBoundToANode() {
    Box box = TestBoxes.box();
    String ns = desired(box).namespaceName();
    assertThat(runtime.isScheduled(box)).as("no namespace").isFalse();
    runtime.apply(desired(box));
    assertThat(runtime.isScheduled(box)).as("no pod yet").isFalse();
    kubelet.createPod(ns, box.id(), false);
    assertThat(runtime.isScheduled(box)).as("pending, unscheduled").isFalse();
    kubelet.createPod(ns, box.id(), true);
    assertThat(runtime.isScheduled(box)).isTrue();
    assertThat(runtime.isScheduled(TestBoxes.box())).as("another box").isFalse();
  }

  @Test
  void aConfigChangeChangesTheTemplateAnnotation() {
    UUID id = UUID.randomUUID();
    UUID customer = UUID.randomUUID();
    Box before =
        TestBoxes.box(
            id, customer, BoxDesiredState.RUNNING, "kimi-k3", ThinkingLevel.LOW, List.of(1L));
    Box after =
        TestBoxes.box(
            id, customer, BoxDesiredState.RUNNING, "kimi-k2.6", ThinkingLevel.OFF, List.of(1L, 2L));
    String ns = desired(before).namespaceName();
    runtime.apply(desired(before));
    String hashBefore = annotations(ns).get(BoxResources.CONFIG_HASH_ANNOTATION);
    runtime.apply(desired(before));
    assertThat(annotations(ns).get(BoxResources.CONFIG_HASH_ANNOTATION)).isEqualTo(hashBefore);

    runtime.apply(desired(after));
    assertThat(annotations(ns).get(BoxResources.CONFIG_HASH_ANNOTATION)).isNotEqualTo(hashBefore);
    String config =
        decode(
            client
                .secrets()
                .inNamespace(ns)
                .withName("gateway-config")
                .get()
                .getData()
                .get("openclaw.json"));
    assertThat(config).contains("openclaw-cloud/kimi-k2.6").contains("\"2\"");
  }

  @Test
  void rolloutRestartsAndApplyKeepsTheRestart() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);
    KubernetesRuntime timed = new KubernetesRuntime(client, settings, clock);
    Box box = TestBoxes.box();
    String ns = desired(box).namespaceName();
    assertThat(timed.rollout(box)).isFalse();
    timed.apply(desired(box));
    assertThat(annotations(ns)).doesNotContainKey(BoxResources.RESTARTED_AT_ANNOTATION);
    String hash = annotations(ns).get(BoxResources.CONFIG_HASH_ANNOTATION);

    assertThat(timed.rollout(box)).isTrue();
    assertThat(annotations(ns))
        .containsEntry(BoxResources.RESTARTED_AT_ANNOTATION, "2026-11-26T10:00:00Z")
        .containsEntry(BoxResources.CONFIG_HASH_ANNOTATION, hash);
    timed.apply(desired(box));
    assertThat(annotations(ns))
        .containsEntry(BoxResources.RESTARTED_AT_ANNOTATION, "2026-11-26T10:00:00Z");
  }

  @Test
  void deleteRemovesTheNamespaceAndIsIdempotent() {
    Box box = TestBoxes.box();
    Box other = TestBoxes.box();
    runtime.apply(desired(box));
    runtime.apply(desired(other));
    runtime.delete(box);
    assertThat(client.namespaces().withName(desired(box).namespaceName()).get()).isNull();
    runtime.delete(box);
    runtime.delete(box.id(), desired(box).namespaceName());
    assertThat(client.namespaces().withName(desired(other).namespaceName()).get()).isNotNull();
    assertThat(runtime.listManaged())
        .extracting(KubernetesRuntime.ManagedBox::boxId)
        .containsExactly(other.id());
    // Applying again after a delete brings the box back.
    runtime.apply(desired(box));
    assertThat(client.namespaces().withName(desired(box).namespaceName()).get()).isNotNull();
  }

  @Test
  void foreignNamespacesAreNeverTouched() {
    Box box = TestBoxes.box();
    String ns = desired(box).namespaceName();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    assertThatThrownBy(() -> runtime.apply(desired(box))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> runtime.delete(box)).isInstanceOf(IllegalStateException.class);
    assertThat(client.namespaces().withName(ns).get()).isNotNull();

    Box another = TestBoxes.box();
    runtime.apply(desired(another));
    assertThatThrownBy(() -> runtime.delete(box.id(), desired(another).namespaceName()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void listManagedFindsBoxesAndIgnoresUnlabelledNamespaces() {
    Box a = TestBoxes.box();
    Box b = TestBoxes.box();
    runtime.apply(desired(a));
    runtime.apply(desired(b));
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build())
        .create();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("odd")
                .withLabels(
                    Map.of(
                        BoxResources.MANAGED_BY_LABEL,
                        BoxResources.MANAGED_BY,
                        BoxResources.BOX_LABEL,
                        "not-a-uuid"))
                .endMetadata()
                .build())
        .create();
    List<KubernetesRuntime.ManagedBox> managed = runtime.listManaged();
    assertThat(managed)
        .extracting(KubernetesRuntime.ManagedBox::boxId)
        .containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(managed)
        .filteredOn(m -> m.boxId().equals(a.id()))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.customerId()).isEqualTo(a.customerId());
              assertThat(m.namespace()).isEqualTo(desired(a).namespaceName());
              assertThat(m.terminating()).isFalse();
            });
  }

  @Test
  void theStateVolumeOnlyGrows() {
    Box box = TestBoxes.box();
    String ns = desired(box).namespaceName();
    runtime.apply(desired(box));
    KubernetesSettings bigger =
        KubernetesSettings.from(
            TestBoxes.settings(Map.of("operator.kubernetes.state-size", "3Gi")));
    new KubernetesRuntime(client, bigger)
        .apply(BoxResources.desired(box, bigger, TestBoxes.secrets()));
    assertThat(storage(ns)).isEqualTo("3Gi");
    runtime.apply(desired(box));
    assertThat(storage(ns)).as("never shrunk").isEqualTo("3Gi");
  }

  /**
   * The operator reads Secrets only through its RoleBinding in the box namespace: one made before
   * that binding existed answers 403 until the operator binds itself there, which it does on that
   * 403 (the API server's answer is played by the mock once).
   */
  @Test
  void aNamespaceWithoutTheSecretsRoleBindingGetsItOnTheFirstRefusal() {
    Box box = TestBoxes.box();
    BoxResources.Desired desired = desired(box);
    runtime.apply(desired);
    String ns = desired.namespaceName();
    client.resource(desired.secretsAccess()).delete();
    refuseSecretReadOnce(ns);

    assertThat(runtime.storedSecrets(box))
        .containsEntry(BoxResources.PROXY_TOKEN_KEY, TestBoxes.secrets().proxyToken());
    assertThat(
            client
                .rbac()
                .roleBindings()
                .inNamespace(ns)
                .withName(BoxResources.SECRETS_ACCESS)
                .get())
        .isNotNull()
        .satisfies(b -> assertThat(b.getRoleRef().getName()).isEqualTo(BoxResources.SECRETS_ROLE));
  }

  /** A new box's namespace does not exist yet: nothing stored, nothing created. */
  @Test
  void aRefusedReadWithoutTheNamespaceMeansNothingIsStored() {
    Box box = TestBoxes.box();
    String ns = BoxResources.namespaceName(box, settings);
    refuseSecretReadOnce(ns);

    assertThat(runtime.storedSecrets(box)).isEmpty();
    assertThat(client.namespaces().withName(ns).get()).isNull();
  }

  /** Right after the RoleBinding is written the authorizer may not know it yet: retried. */
  @Test
  void applyRetriesASecretRefusedWhileItsRoleBindingIsNew() {
    Box box = TestBoxes.box();
    BoxResources.Desired desired = desired(box);
    refuseSecretReadOnce(desired.namespaceName());

    runtime.apply(desired);

    assertThat(client.resource(desired.secrets()).get()).isNotNull();
  }

  private void refuseSecretReadOnce(String ns) {
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/" + ns + "/secrets/" + BoxResources.SECRETS)
        .andReturn(
            403,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"reason\":\"Forbidden\",\"code\":403}")
        .once();
  }

  @Test
  void aHundredBoxes() {
    Set<UUID> ids = new java.util.HashSet<>();
    for (int i = 0; i < 100; i++) {
      Box box = TestBoxes.box();
      ids.add(box.id());
      runtime.apply(desired(box));
    }
    assertThat(runtime.listManaged())
        .extracting(KubernetesRuntime.ManagedBox::boxId)
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(client.apps().deployments().inAnyNamespace().list().getItems()).hasSize(100);
  }

  String storage(String ns) {
    return client
        .persistentVolumeClaims()
        .inNamespace(ns)
        .withName("state")
        .get()
        .getSpec()
        .getResources()
        .getRequests()
        .get("storage")
        .toString();
  }

  int replicas(String ns) {
    return client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("gateway")
        .get()
        .getSpec()
        .getReplicas();
  }

  Map<String, String> annotations(String ns) {
    return client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("gateway")
        .get()
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations();
  }

  static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
