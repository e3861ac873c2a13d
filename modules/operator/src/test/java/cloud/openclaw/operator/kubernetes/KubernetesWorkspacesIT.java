package cloud.openclaw.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.OperatorMetrics;
import cloud.openclaw.operator.workspaces.WorkspaceStore;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.ThinkingLevel;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes runtime with a workspace store, against fabric8's API server mock in CRUD mode
 * (the test plays the Job controller): a destroy archives first, then deletes; a new box of the
 * customer restores first.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesWorkspacesIT {
  KubernetesClient client;
  KubernetesMockServer server;

  final KubernetesSettings settings = TestBoxes.kubernetes();
  final Clock clock = Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);
  final UUID customer = UUID.randomUUID();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  KubernetesRuntime runtime;
  Thread jobController;

  WorkspaceStore store(Duration archiveTimeout) {
    return new WorkspaceStore(
        URI.create("https://s3.example.test"),
        "eu-central-1",
        "openclaw-backups",
        "AKIDEXAMPLE",
        "secret-example",
        Duration.ofDays(7),
        archiveTimeout,
        List.of());
  }

  @BeforeEach
  void setUp() {
    runtime =
        new KubernetesRuntime(
            client,
            settings,
            clock,
            Optional.of(store(Duration.ofSeconds(30))),
            new OperatorMetrics(registry));
  }

  @AfterEach
  void tearDown() {
    if (jobController != null) {
      jobController.interrupt();
    }
  }

  Box box() {
    return TestBoxes.box(
        UUID.randomUUID(),
        customer,
        BoxDesiredState.RUNNING,
        "kimi-k3",
        ThinkingLevel.LOW,
        List.of(111L));
  }

  @Test
  void aBoxOfTheCustomerRestoresTheirArchiveBeforeItsOwnInit() {
    Box box = box();
    runtime.apply(box, TestBoxes.secrets());

    String ns = BoxResources.namespaceName(box, settings);
    var deployment = client.apps().deployments().inNamespace(ns).withName("gateway").get();
    assertThat(deployment.getSpec().getTemplate().getSpec().getInitContainers())
        .extracting(c -> c.getName())
        .containsExactly("restore-workspace", "prepare-state");
    var config = client.secrets().inNamespace(ns).withName(BoxResources.CONFIG).get();
    URI url =
        URI.create(
            new String(
                Base64.getDecoder()
                    .decode(config.getData().get(WorkspaceBackupResources.RESTORE_URL_KEY)),
                StandardCharsets.UTF_8));
    assertThat(url.getHost()).isEqualTo("s3.example.test");
    assertThat(url.getPath()).isEqualTo("/openclaw-backups/workspaces/" + customer + ".tar.gz");
    assertThat(url.getQuery())
        .contains("X-Amz-Date=20261203T100000Z")
        .contains("X-Amz-Expires=604800")
        .contains("X-Amz-Signature=")
        .doesNotContain("secret-example");
  }

  @Test
  void destroyArchivesTheWorkspaceThenDeletesTheNamespace() {
    Box box = box();
    runtime.apply(box, TestBoxes.secrets());
    String ns = BoxResources.namespaceName(box, settings);

    Thread destroy = Thread.ofVirtual().start(() -> runtime.delete(box));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> client.batch().v1().jobs().inNamespace(ns).withName("workspace-archive").get(),
            j -> j != null);
    Job job = client.batch().v1().jobs().inNamespace(ns).withName("workspace-archive").get();
    String command =
        String.join(
            " ", job.getSpec().getTemplate().getSpec().getContainers().getFirst().getCommand());
    assertThat(command)
        .contains("https://s3.example.test/openclaw-backups/workspaces/" + customer + ".tar.gz?")
        .contains("X-Amz-Signature=");
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName("gateway")
                .get()
                .getSpec()
                .getReplicas())
        .as("the gateway is stopped before its workspace is copied")
        .isZero();
    assertThat(client.namespaces().withName(ns).get())
        .as("kept until the archive is done")
        .isNotNull();

    Kubelet.finishJob(client, ns, true);

    await().atMost(Duration.ofSeconds(10)).until(() -> !destroy.isAlive());
    assertThat(client.namespaces().withName(ns).get()).isNull();
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("openclaw_workspace_archives_total{outcome=\"succeeded\",reason=\"destroy\"} 1.0")
        .contains("openclaw_workspace_archives_total{outcome=\"failed\",reason=\"destroy\"} 0.0")
        .as("a destroy's archive says nothing about the running boxes' workspaces")
        .doesNotContain("openclaw_backup_last_success_timestamp_seconds");
  }

  @Test
  void aFailedArchiveIsCountedAndTheBoxIsDeletedAllTheSame() {
    jobController = Kubelet.finishArchiveJobs(client, false);
    Box box = box();
    runtime.apply(box, TestBoxes.secrets());
    String ns = BoxResources.namespaceName(box, settings);

    runtime.delete(box);

    assertThat(client.namespaces().withName(ns).get()).isNull();
    assertThat(registry.scrape())
        .contains("openclaw_workspace_archives_total{outcome=\"failed\",reason=\"destroy\"} 1.0")
        .doesNotContain("openclaw_backup_last_success_timestamp_seconds");
  }

  @Test
  void anArchiveThatNeverFinishesIsGivenUpAfterTheTimeout() {
    KubernetesRuntime impatient =
        new KubernetesRuntime(
            client,
            settings,
            Clock.systemUTC(),
            Optional.of(store(Duration.ofSeconds(1))),
            new OperatorMetrics(registry));
    Box box = box();
    impatient.apply(box, TestBoxes.secrets());
    String ns = BoxResources.namespaceName(box, settings);

    impatient.delete(box);

    assertThat(client.namespaces().withName(ns).get()).isNull();
    assertThat(registry.scrape())
        .contains("openclaw_workspace_archives_total{outcome=\"failed\",reason=\"destroy\"} 1.0");
  }

  @Test
  void aBoxWhoseNamespaceIsGoneHasNothingToArchive() {
    Box box = box();
    runtime.delete(box);
    assertThat(registry.scrape())
        .contains("openclaw_workspace_archives_total{outcome=\"succeeded\",reason=\"destroy\"} 0.0")
        .contains("openclaw_workspace_archives_total{outcome=\"failed\",reason=\"destroy\"} 0.0");
  }
}
