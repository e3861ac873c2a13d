package cloud.openclaw.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.ConfigurationException;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubernetesSettingsTest {

  @Test
  void theDocumentedDefaultsAreCompleteAndValid() {
    KubernetesSettings s = TestBoxes.kubernetes();
    assertThat(s.namespacePrefix()).isEqualTo("box-");
    assertThat(s.gatewayPort()).isEqualTo(18789);
    assertThat(s.storageClass()).isEmpty();
    assertThat(s.stateSize()).isEqualTo(new Quantity("1Gi"));
    assertThat(s.tokenProxyPodLabels()).containsEntry("app.kubernetes.io/name", "token-proxy");
    assertThat(s.dnsPodLabels()).containsEntry("k8s-app", "kube-dns");
    assertThat(s.clusterCidrs()).containsExactly("10.42.0.0/16", "10.43.0.0/16");
    assertThat(s.requestsMemory()).isEqualTo(new Quantity("1536Mi"));
    assertThat(s.limitsMemory()).isEqualTo(new Quantity("2Gi"));
    assertThat(s.limitsCpu()).isEmpty();
    assertThat(s.telegramApiRoot()).isEmpty();
    assertThat(s.tokenProxyBaseUrl()).endsWith("/v1");
    assertThat(s.deleteTimeout()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void everyKeyIsDocumented() {
    String doc = TestBoxes.documentedYaml();
    for (String key : KubernetesSettings.KEYS) {
      String leaf = key.substring(key.lastIndexOf('.') + 1);
      assertThat(doc).as(key).contains(" " + leaf + ":");
      String env = "OPENCLAW_OPERATOR_KUBERNETES_" + key.replaceAll("[.\\-]", "_").toUpperCase();
      assertThat(doc).as(key).contains(env);
    }
  }

  @Test
  void optionalKeysTakeValues() {
    KubernetesSettings s =
        KubernetesSettings.from(
            TestBoxes.settings(
                Map.of(
                    "operator.kubernetes.storage-class", "fast-ssd",
                    "operator.kubernetes.resources.limits-cpu", "2",
                    "operator.kubernetes.telegram-api-root", "http://sandbox.openclaw-system:8090",
                    "operator.kubernetes.cluster-cidrs", "",
                    "operator.kubernetes.token-proxy.pod-labels", "app=proxy, tier=edge")));
    assertThat(s.storageClass()).isEqualTo(Optional.of("fast-ssd"));
    assertThat(s.limitsCpu()).isEqualTo(Optional.of(new Quantity("2")));
    assertThat(s.telegramApiRoot()).contains("http://sandbox.openclaw-system:8090");
    assertThat(s.clusterCidrs()).isEmpty();
    assertThat(s.tokenProxyPodLabels()).isEqualTo(Map.of("app", "proxy", "tier", "edge"));
  }

  @Test
  void errorsNameTheKey() {
    List<Map.Entry<String, String>> bad =
        List.of(
            Map.entry("operator.kubernetes.image", ""),
            Map.entry("operator.kubernetes.image-pull-policy", "Sometimes"),
            Map.entry("operator.kubernetes.namespace-prefix", "Box_"),
            Map.entry("operator.kubernetes.gateway-port", "80"),
            Map.entry("operator.kubernetes.state-size", "lots"),
            Map.entry("operator.kubernetes.state-size", "0"),
            Map.entry("operator.kubernetes.token-proxy.namespace", "Not A Namespace"),
            Map.entry("operator.kubernetes.token-proxy.pod-labels", "noequals"),
            Map.entry("operator.kubernetes.token-proxy.port", "70000"),
            Map.entry("operator.kubernetes.token-proxy.base-url", "http://proxy:8081"),
            Map.entry("operator.kubernetes.token-proxy.base-url", "ftp://proxy/v1"),
            Map.entry("operator.kubernetes.telegram-api-root", "not a url"),
            Map.entry("operator.kubernetes.dns.pod-labels", ""),
            Map.entry("operator.kubernetes.cluster-cidrs", "10.42.0.0/33"),
            Map.entry("operator.kubernetes.cluster-cidrs", "fd00::/8"),
            Map.entry("operator.kubernetes.resources.requests-memory", "3Gi"),
            Map.entry("operator.kubernetes.resources.limits-cpu", "100m"),
            Map.entry("operator.kubernetes.delete-timeout", "soon"));
    for (Map.Entry<String, String> entry : bad) {
      String key =
          entry.getKey().equals("operator.kubernetes.resources.requests-memory")
              ? "operator.kubernetes.resources.limits-memory"
              : entry.getKey();
      assertThatThrownBy(
              () -> KubernetesSettings.from(TestBoxes.settings(Map.ofEntries(entry))),
              entry.toString())
          .isInstanceOf(ConfigurationException.class)
          .satisfies(e -> assertThat(((ConfigurationException) e).key()).isEqualTo(key));
    }
  }
}
