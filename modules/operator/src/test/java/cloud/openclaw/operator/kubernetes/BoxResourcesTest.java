package cloud.openclaw.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.operator.gateway.GatewayConfig;
import cloud.openclaw.operator.gateway.OpenClawSchema;
import cloud.openclaw.operator.gateway.WorkspaceFiles;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BoxResourcesTest {
  final KubernetesSettings settings = TestBoxes.kubernetes();
  final Box box = TestBoxes.fixed();
  final BoxResources.Desired desired = BoxResources.desired(box, settings, TestBoxes.secrets());

  @Test
  void everythingLivesInTheBoxsNamespaceWithItsLabels() {
    assertThat(desired.namespaceName()).isEqualTo("box-0a1b2c3d4e5f");
    assertThat(desired.inOrder()).hasSize(10);
    for (HasMetadata item : desired.inOrder()) {
      assertThat(item.getMetadata().getLabels())
          .as(item.getKind())
          .containsEntry("app.kubernetes.io/managed-by", "openclaw-operator")
          .containsEntry("openclaw.cloud/customer", "11111111-2222-4333-8444-555555555555")
          .containsEntry("openclaw.cloud/box", "0a1b2c3d-4e5f-4789-9abc-def012345678");
      if (!(item instanceof io.fabric8.kubernetes.api.model.Namespace)) {
        assertThat(item.getMetadata().getNamespace()).isEqualTo("box-0a1b2c3d4e5f");
      }
    }
    assertThat(desired.inOrder().getFirst().getKind()).isEqualTo("Namespace");
    assertThat(desired.inOrder().getLast().getKind()).isEqualTo("Deployment");
  }

  @Test
  void aRecordedNamespaceWins() {
    Box named =
        new Box(
            box.id(),
            box.customerId(),
            box.botId(),
            box.botUsername(),
            box.botToken(),
            box.allowedTelegramUserIds(),
            box.model(),
            box.thinkingLevel(),
            box.runtime(),
            "box-custom",
            box.desiredState(),
            box.observedState(),
            null,
            box.createdAt(),
            box.updatedAt(),
            null,
            null,
            null);
    assertThat(BoxResources.namespaceName(named, settings)).isEqualTo("box-custom");
  }

  @Test
  void theNamespaceEnforcesPodSecurityRestricted() {
    assertThat(desired.namespace().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
        .containsEntry("pod-security.kubernetes.io/audit", "restricted")
        .containsEntry("pod-security.kubernetes.io/warn", "restricted");
  }

  @Test
  void quotaAndLimitsFollowTheSettings() {
    Map<String, Quantity> hard = desired.resourceQuota().getSpec().getHard();
    assertThat(hard.get("pods")).isEqualTo(new Quantity("2"));
    assertThat(Quantity.getAmountInBytes(hard.get("requests.memory")))
        .isEqualByComparingTo(Quantity.getAmountInBytes(new Quantity("3Gi")));
    assertThat(hard.get("persistentvolumeclaims")).isEqualTo(new Quantity("1"));
    assertThat(hard.get("requests.storage")).isEqualTo(new Quantity("1Gi"));
    var container = desired.limitRange().getSpec().getLimits().getFirst();
    assertThat(container.getType()).isEqualTo("Container");
    assertThat(container.getMax().get("memory")).isEqualTo(new Quantity("2Gi"));
  }

  @Test
  void theNetworkPolicyAllowsNoIngressAndOnlyDnsProxyAndPublicHttps() {
    var spec = desired.networkPolicy().getSpec();
    assertThat(spec.getPodSelector().getMatchLabels()).isNullOrEmpty();
    assertThat(spec.getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(spec.getIngress()).isEmpty();
    List<NetworkPolicyEgressRule> egress = spec.getEgress();
    assertThat(egress).hasSize(3);

    NetworkPolicyEgressRule dns = egress.get(0);
    assertThat(dns.getTo().getFirst().getNamespaceSelector().getMatchLabels())
        .isEqualTo(Map.of("kubernetes.io/metadata.name", "kube-system"));
    assertThat(dns.getTo().getFirst().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of("k8s-app", "kube-dns"));
    assertThat(ports(dns)).containsExactlyInAnyOrder("UDP/53", "TCP/53");

    NetworkPolicyEgressRule proxy = egress.get(1);
    assertThat(proxy.getTo().getFirst().getNamespaceSelector().getMatchLabels())
        .isEqualTo(Map.of("kubernetes.io/metadata.name", "openclaw-system"));
    assertThat(proxy.getTo().getFirst().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of("app.kubernetes.io/name", "token-proxy"));
    assertThat(ports(proxy)).containsExactly("TCP/8081");

    NetworkPolicyEgressRule https = egress.get(2);
    var block = https.getTo().getFirst().getIpBlock();
    assertThat(block.getCidr()).isEqualTo("0.0.0.0/0");
    assertThat(block.getExcept())
        .contains(
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "169.254.0.0/16",
            "10.42.0.0/16",
            "10.43.0.0/16");
    assertThat(https.getTo()).hasSize(1);
    assertThat(ports(https)).containsExactly("TCP/443");
  }

  static List<String> ports(NetworkPolicyEgressRule rule) {
    return rule.getPorts().stream()
        .map(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
        .collect(Collectors.toList());
  }

  @Test
  void secretsAreBase64DataNotStringData() {
    var secrets = desired.secrets();
    assertThat(secrets.getStringData()).isNullOrEmpty();
    assertThat(decode(secrets.getData().get("bot-token")))
        .isEqualTo("7000000001:AAH-bot-token-secret");
    assertThat(decode(secrets.getData().get("proxy-token"))).isEqualTo("oc_pt_proxy-token-secret");
    assertThat(decode(secrets.getData().get("gateway-token"))).isEqualTo("gateway-token-secret");
    assertThat(desired.config().getStringData()).isNullOrEmpty();
    assertThat(desired.config().getData())
        .containsOnlyKeys("openclaw.json", BoxResources.USER_SECTION_KEY);
  }

  @Test
  void theUseCaseReachesTheWorkspaceThroughTheInitContainer() {
    Box withUseCase = TestBoxes.withUseCase(box, "Answer my bakery's customers");
    BoxResources.Desired with = BoxResources.desired(withUseCase, settings, TestBoxes.secrets());

    String section = decode(with.config().getData().get(BoxResources.USER_SECTION_KEY));
    assertThat(section)
        .isEqualTo(WorkspaceFiles.section(withUseCase).orElseThrow())
        .contains("  > Answer my bakery's customers");
    assertThat(decode(desired.config().getData().get(BoxResources.USER_SECTION_KEY))).isEmpty();
    Container init =
        with.deployment().getSpec().getTemplate().getSpec().getInitContainers().getFirst();
    List<String> command = init.getCommand();
    assertThat(command.subList(0, 2)).containsExactly("node", "-e");
    assertThat(command.get(2)).contains(WorkspaceFiles.MERGE_SCRIPT);
    assertThat(command.subList(3, command.size()))
        .containsExactly(
            BoxResources.WORKSPACE_DIR,
            BoxResources.LOG_DIR,
            BoxResources.WORKSPACE_DIR + "/USER.md",
            BoxResources.CONFIG_DIR + "/" + BoxResources.USER_SECTION_KEY);
    assertThat(init.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("config");
              assertThat(m.getMountPath()).isEqualTo(BoxResources.CONFIG_DIR);
              assertThat(m.getReadOnly()).isTrue();
            });
    // A new use case rolls the pod (the init container writes it); none keeps the old hash.
    assertThat(hash(with)).isNotEqualTo(hash(desired));
    assertThat(
            hash(
                BoxResources.desired(
                    TestBoxes.withUseCase(box, "Another job"), settings, TestBoxes.secrets())))
        .isNotEqualTo(hash(with));
    assertThat(hash(desired))
        .isEqualTo(
            BoxResources.configHash(
                GatewayConfig.renderJson(
                    BoxResources.gatewayInputs(box, settings, TestBoxes.secrets())),
                TestBoxes.secrets()));
    // Same box, same objects.
    assertThat(BoxResources.desired(withUseCase, settings, TestBoxes.secrets()).config())
        .isEqualTo(with.config());
  }

  @Test
  void theConfigSecretHoldsASchemaValidPodConfig() throws Exception {
    String json = decode(desired.config().getData().get("openclaw.json"));
    assertThat(OpenClawSchema.errors(json)).isEmpty();
    JsonNode config = Json.MAPPER.readTree(json);
    assertThat(config.at("/gateway/bind").asText()).isEqualTo("lan");
    assertThat(config.at("/gateway/port").asInt()).isEqualTo(18789);
    assertThat(config.at("/gateway/auth/token").asText()).isEqualTo("gateway-token-secret");
    assertThat(config.at("/channels/telegram/tokenFile").asText())
        .isEqualTo("/run/secrets/openclaw/bot-token");
    assertThat(config.at("/channels/telegram/allowFrom").toString()).isEqualTo("[\"111\",\"222\"]");
    assertThat(config.at("/agents/defaults/thinkingDefault").asText()).isEqualTo("high");
    assertThat(config.at("/agents/defaults/model/primary").asText())
        .isEqualTo("openclaw-cloud/kimi-k2.7-code");
    assertThat(config.at("/agents/defaults/workspace").asText())
        .isEqualTo("/home/node/.openclaw/workspace");
    var provider = config.at("/models/providers/openclaw-cloud");
    assertThat(provider.get("apiKey").asText()).isEqualTo("oc_pt_proxy-token-secret");
    assertThat(provider.get("baseUrl").asText())
        .isEqualTo("http://token-proxy.openclaw-system.svc.cluster.local:8081/v1");
  }

  @Test
  void noUpstreamKeyAnywhere() {
    String all =
        desired.inOrder().stream().map(Serialization::asJson).collect(Collectors.joining("\n"));
    String decoded =
        desired.secrets().getData().values().stream()
                .map(BoxResourcesTest::decode)
                .collect(Collectors.joining("\n"))
            + decode(desired.config().getData().get("openclaw.json"));
    for (String text : List.of(all, decoded)) {
      assertThat(text.toLowerCase()).doesNotContain("moonshot").doesNotContain("kimi_api_key");
    }
    // The only credentials are the three the box was given.
    assertThat(desired.secrets().getData())
        .containsOnlyKeys("bot-token", "proxy-token", "gateway-token");
  }

  @Test
  void theDeploymentIsOneRecreatedHardenedGateway() {
    var deployment = desired.deployment();
    var spec = deployment.getSpec();
    assertThat(spec.getReplicas()).isEqualTo(1);
    assertThat(spec.getStrategy().getType()).isEqualTo("Recreate");
    assertThat(spec.getSelector().getMatchLabels())
        .isEqualTo(
            Map.of(
                "app.kubernetes.io/name",
                "openclaw-gateway",
                "openclaw.cloud/box",
                box.id().toString()));
    assertThat(spec.getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(spec.getSelector().getMatchLabels());
    assertThat(spec.getTemplate().getMetadata().getAnnotations())
        .containsKey(BoxResources.CONFIG_HASH_ANNOTATION);

    PodSpec pod = spec.getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("gateway");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(1000L);
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(1000L);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    for (Container c : concat(pod.getInitContainers(), pod.getContainers())) {
      var sc = c.getSecurityContext();
      assertThat(sc.getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
      assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
      assertThat(sc.getRunAsNonRoot()).as(c.getName()).isTrue();
      assertThat(sc.getRunAsUser()).as(c.getName()).isEqualTo(1000L);
      assertThat(sc.getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
      assertThat(sc.getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
      assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(c.getImage()).isEqualTo(settings.image());
      assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
      assertThat(c.getResources().getLimits()).containsKey("memory");
    }

    Container gateway = pod.getContainers().getFirst();
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(gateway.getCommand())
        .containsExactly("openclaw", "gateway", "run", "--port", "18789");
    assertThat(
            gateway.getEnv().stream()
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue())))
        .isEqualTo(
            Map.of(
                "OPENCLAW_STATE_DIR", "/home/node/.openclaw",
                "OPENCLAW_CONFIG_PATH", "/etc/openclaw/openclaw.json",
                "HOME", "/home/node",
                "TMPDIR", "/tmp",
                "DO_NOT_TRACK", "1"));
    assertThat(gateway.getResources().getRequests().get("memory"))
        .isEqualTo(new Quantity("1536Mi"));
    assertThat(gateway.getResources().getRequests().get("cpu")).isEqualTo(new Quantity("250m"));
    assertThat(gateway.getResources().getLimits().get("memory")).isEqualTo(new Quantity("2Gi"));
    assertThat(gateway.getStartupProbe().getHttpGet().getPath()).isEqualTo("/startupz");
    assertThat(gateway.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/startupz");
    assertThat(gateway.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(gateway.getPorts().getFirst().getContainerPort()).isEqualTo(18789);
    assertThat(gateway.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");

    Map<String, VolumeMount> mounts =
        gateway.getVolumeMounts().stream()
            .collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
    assertThat(mounts.get("/home/node/.openclaw").getName()).isEqualTo("state");
    assertThat(mounts.get("/home/node/.openclaw").getReadOnly()).isFalse();
    assertThat(mounts.get("/etc/openclaw").getReadOnly()).isTrue();
    assertThat(mounts.get("/run/secrets/openclaw").getReadOnly()).isTrue();
    assertThat(mounts.get("/tmp").getName()).isEqualTo("tmp");
    assertThat(mounts.get("/home/node").getName()).isEqualTo("home");

    var volumes = pod.getVolumes().stream().collect(Collectors.toMap(v -> v.getName(), v -> v));
    assertThat(volumes.get("state").getPersistentVolumeClaim().getClaimName()).isEqualTo("state");
    assertThat(volumes.get("config").getSecret().getSecretName()).isEqualTo("gateway-config");
    assertThat(volumes.get("secrets").getSecret().getSecretName()).isEqualTo("gateway-secrets");
    assertThat(volumes.get("secrets").getSecret().getItems())
        .singleElement()
        .satisfies(i -> assertThat(i.getKey()).isEqualTo("bot-token"));
    assertThat(volumes.get("tmp").getEmptyDir()).isNotNull();
    assertThat(volumes.get("home").getEmptyDir()).isNotNull();
  }

  @Test
  void theStateClaimFollowsTheSettings() {
    var claim = desired.state();
    assertThat(claim.getMetadata().getName()).isEqualTo("state");
    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("1Gi"));
    assertThat(claim.getSpec().getStorageClassName()).isNull();
    KubernetesSettings fast =
        KubernetesSettings.from(
            TestBoxes.settings(
                Map.of(
                    "operator.kubernetes.storage-class", "fast",
                    "operator.kubernetes.state-size", "5Gi")));
    var other = BoxResources.desired(box, fast, TestBoxes.secrets()).state();
    assertThat(other.getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(other.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("5Gi"));
  }

  @Test
  void theSameBoxGivesTheSameObjects() {
    var again = BoxResources.desired(box, settings, TestBoxes.secrets());
    assertThat(again.inOrder()).isEqualTo(desired.inOrder());
  }

  @Test
  void aChangeOfConfigOrSecretsChangesTheTemplateHash() {
    String hash = hash(desired);
    Box otherUsers =
        TestBoxes.box(
            box.id(),
            box.customerId(),
            BoxDesiredState.RUNNING,
            "kimi-k2.7-code",
            ThinkingLevel.HIGH,
            List.of(111L, 333L));
    assertThat(hash(BoxResources.desired(otherUsers, settings, TestBoxes.secrets())))
        .isNotEqualTo(hash);
    var rotated =
        new BoxResources.Secrets(
            "7000000001:AAH-new", "oc_pt_proxy-token-secret", "gateway-token-secret");
    assertThat(hash(BoxResources.desired(box, settings, rotated))).isNotEqualTo(hash);
    assertThat(hash(BoxResources.desired(box, settings, TestBoxes.secrets()))).isEqualTo(hash);
  }

  @Test
  void aSuspendedBoxHasNoReplicasAndADestroyedOneNoResources() {
    Box suspended = TestBoxes.box(box.id(), BoxDesiredState.SUSPENDED);
    assertThat(
            BoxResources.desired(suspended, settings, TestBoxes.secrets())
                .deployment()
                .getSpec()
                .getReplicas())
        .isZero();
    Box destroyed = TestBoxes.box(box.id(), BoxDesiredState.DESTROYED);
    assertThatThrownBy(() -> BoxResources.desired(destroyed, settings, TestBoxes.secrets()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void secretsDoNotPrint() {
    assertThat(TestBoxes.secrets().toString()).doesNotContain("secret-").doesNotContain("AAH");
    assertThat(desired.toString()).doesNotContain("secret");
  }

  static String hash(BoxResources.Desired d) {
    return d.deployment()
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(BoxResources.CONFIG_HASH_ANNOTATION);
  }

  static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  static <T> List<T> concat(List<T> a, List<T> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
