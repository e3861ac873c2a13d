package cloud.openclaw.operator.jobs;

import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.kubernetes.Kubelet;
import cloud.openclaw.operator.kubernetes.KubernetesRuntime;
import cloud.openclaw.operator.kubernetes.KubernetesSettings;
import cloud.openclaw.operator.kubernetes.TestBoxes;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link JobInterleavings} on Kubernetes: fabric8's CRUD mock as the cluster, a stand-in kubelet
 * marking gateways available (except for boxes held back).
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesJobInterleavingsIT extends JobInterleavings {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static KubernetesClient client;
  static KubernetesMockServer server;

  static Fixture fixture;
  static KubernetesSettings kubernetes;
  static Thread kubelet;
  static final Set<String> held = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    fixture = Fixture.start(postgres, testRedis);
    kubernetes = TestBoxes.kubernetes();
    kubelet = Kubelet.followAll(client, namespace -> !held.contains(namespace));
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.interrupt();
    }
    fixture.close();
  }

  @Override
  protected Fixture fixture() {
    return fixture;
  }

  @Override
  protected BoxRuntime runtime() {
    return BoxRuntime.KUBERNETES;
  }

  @Override
  protected Map<String, String> runtimeOverrides() {
    return Map.of("operator.kubernetes.enabled", "true");
  }

  @Override
  protected RunningService startOperator(Map<String, String> overrides) {
    return cloud.openclaw.operator.Main.start(
        ConfigLoader.load("operator", Map.of(), overrides),
        () -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build());
  }

  @Override
  protected boolean serving(Box box) {
    Deployment deployment = deployment(box);
    return deployment != null
        && Integer.valueOf(1).equals(deployment.getSpec().getReplicas())
        && new KubernetesRuntime(client, kubernetes).isAvailable(box);
  }

  @Override
  protected boolean stopped(Box box) {
    Deployment deployment = deployment(box);
    return deployment == null || Integer.valueOf(0).equals(deployment.getSpec().getReplicas());
  }

  @Override
  protected void hold(Box box) {
    held.add(BoxResources.namespaceName(box.id(), kubernetes));
  }

  @Override
  protected void release(Box box) {
    held.remove(BoxResources.namespaceName(box.id(), kubernetes));
  }

  @Override
  protected String storedToken(Box box) {
    Secret secret =
        client
            .secrets()
            .inNamespace(BoxResources.namespaceName(box.id(), kubernetes))
            .withName(BoxResources.SECRETS)
            .get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(BoxResources.PROXY_TOKEN_KEY)),
        StandardCharsets.UTF_8);
  }

  /** Someone ran kubectl scale. */
  @Override
  protected void startBehindTheOperatorsBack(Box box) {
    client
        .apps()
        .deployments()
        .inNamespace(BoxResources.namespaceName(box.id(), kubernetes))
        .withName(BoxResources.DEPLOYMENT)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":1}}");
  }

  @Override
  protected String appliedConfig(Box box) {
    Secret secret =
        client
            .secrets()
            .inNamespace(BoxResources.namespaceName(box.id(), kubernetes))
            .withName(BoxResources.CONFIG)
            .get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(BoxResources.CONFIG_KEY)),
        StandardCharsets.UTF_8);
  }

  private Deployment deployment(Box box) {
    return client
        .apps()
        .deployments()
        .inNamespace(BoxResources.namespaceName(box.id(), kubernetes))
        .withName(BoxResources.DEPLOYMENT)
        .get();
  }
}
