package cloud.openclaw.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.OperatorMetrics;
import cloud.openclaw.operator.workspaces.WorkspaceStore;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.redis.RedisLock;
import cloud.openclaw.testkit.TestRedis;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The nightly snapshot of running boxes' workspaces against fabric8's API server mock in CRUD mode
 * (the test plays the Job controller): one Job per running box, named for the day, counted and
 * timed; a failed box does not stop the others; a second pass the same day creates nothing twice;
 * one pass per interval across replicas.
 */
@EnableKubernetesMockClient(crud = true)
class WorkspaceSnapshotsIT {
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final String TODAY = "workspace-snapshot-20261203";

  KubernetesClient client;
  KubernetesMockServer server;

  final KubernetesSettings settings = TestBoxes.kubernetes();
  final Clock clock = Clock.fixed(Instant.parse("2026-12-03T02:00:00Z"), ZoneOffset.UTC);
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final OperatorMetrics metrics = new OperatorMetrics(registry);
  final WorkspaceStore store =
      new WorkspaceStore(
          URI.create("https://s3.example.test"),
          "eu-central-1",
          "openclaw-backups",
          "AKIDEXAMPLE",
          "secret-example",
          Duration.ofDays(7),
          Duration.ofSeconds(30),
          List.of());
  Redis redis;

  KubernetesRuntime runtime() {
    return new KubernetesRuntime(client, settings, clock, Optional.of(store), metrics);
  }

  WorkspaceSnapshots snapshots(int concurrency) {
    return new WorkspaceSnapshots(
        runtime(),
        client,
        settings,
        store,
        new WorkspaceSnapshots.Schedule(Duration.ofDays(1), concurrency),
        clock,
        metrics,
        Duration.ofMillis(50));
  }

  @AfterEach
  void tearDown() {
    if (redis != null) {
      redis.close();
    }
  }

  Box runningBox() {
    Box box =
        TestBoxes.box(
            UUID.randomUUID(),
            UUID.randomUUID(),
            BoxDesiredState.RUNNING,
            "kimi-k3",
            ThinkingLevel.LOW,
            List.of(111L));
    runtime().apply(box, TestBoxes.secrets());
    return box;
  }

  String ns(Box box) {
    return BoxResources.namespaceName(box, settings);
  }

  Job job(Box box) {
    return client.batch().v1().jobs().inNamespace(ns(box)).withName(TODAY).get();
  }

  List<Job> jobs(Box box) {
    return client.batch().v1().jobs().inNamespace(ns(box)).list().getItems();
  }

  double counted(String outcome) {
    return registry
        .get("openclaw_workspace_archives")
        .tag("reason", "snapshot")
        .tag("outcome", outcome)
        .counter()
        .count();
  }

  @Test
  void everyRunningBoxGetsItsJobAndAPassThatCopiedAllIsTheLastSuccess() throws Exception {
    Box first = runningBox();
    Box second = runningBox();
    Box suspended = runningBox();
    runtime().scale(suspended, false);

    CompletableFuture<WorkspaceSnapshots.Report> pass =
        CompletableFuture.supplyAsync(() -> snapshots(10).runOnce());

    await().atMost(Duration.ofSeconds(10)).until(() -> job(first) != null && job(second) != null);
    assertThat(jobs(suspended)).as("a stopped gateway has no snapshot").isEmpty();
    assertThat(pass).isNotDone();
    Job job = job(first);
    assertThat(job.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", "workspace-snapshot");
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().getFirst().getCommand())
        .last()
        .asString()
        .startsWith(
            "https://s3.example.test/openclaw-backups/workspaces/"
                + first.customerId()
                + ".tar.gz?");
    assertThat(
            client.apps().deployments().inNamespace(ns(first)).withName("gateway").get().getSpec())
        .as("the gateway keeps running")
        .satisfies(spec -> assertThat(spec.getReplicas()).isEqualTo(1));
    assertThat(registry.scrape()).doesNotContain("openclaw_backup_last_success_timestamp_seconds");

    Kubelet.finishJob(client, ns(first), TODAY, true);
    Kubelet.finishJob(client, ns(second), TODAY, true);

    WorkspaceSnapshots.Report report = pass.get(10, TimeUnit.SECONDS);
    assertThat(report).isEqualTo(new WorkspaceSnapshots.Report(TODAY, 2, 2, 0));
    assertThat(counted("succeeded")).isEqualTo(2);
    assertThat(counted("failed")).isZero();
    assertThat(
            registry
                .get("openclaw_backup_last_success_timestamp_seconds")
                .tag("kind", "workspaces")
                .gauge()
                .value())
        .isEqualTo((double) clock.instant().getEpochSecond());

    // The same day again (an operator restarted, a pass retried): the day's Jobs are found.
    WorkspaceSnapshots.Report again = snapshots(10).runOnce();
    assertThat(again.complete()).isTrue();
    assertThat(jobs(first)).hasSize(1);
    assertThat(jobs(second)).hasSize(1);
  }

  @Test
  void aFailedSnapshotIsCountedAndTheOthersAreStillDone() throws Exception {
    Box failing = runningBox();
    Box fine = runningBox();

    CompletableFuture<WorkspaceSnapshots.Report> pass =
        CompletableFuture.supplyAsync(() -> snapshots(10).runOnce());
    await().atMost(Duration.ofSeconds(10)).until(() -> job(failing) != null && job(fine) != null);
    Kubelet.finishJob(client, ns(failing), TODAY, false);
    Kubelet.finishJob(client, ns(fine), TODAY, true);

    WorkspaceSnapshots.Report report = pass.get(10, TimeUnit.SECONDS);
    assertThat(report).isEqualTo(new WorkspaceSnapshots.Report(TODAY, 2, 1, 1));
    assertThat(report.complete()).isFalse();
    assertThat(counted("succeeded")).isEqualTo(1);
    assertThat(counted("failed")).isEqualTo(1);
    assertThat(registry.scrape())
        .as("not every running box is copied: no new last success")
        .doesNotContain("openclaw_backup_last_success_timestamp_seconds");
  }

  @Test
  void jobsRunInBatchesOfTheConcurrency() throws Exception {
    Box one = runningBox();
    Box two = runningBox();
    List<Box> boxes = List.of(one, two);

    CompletableFuture<WorkspaceSnapshots.Report> pass =
        CompletableFuture.supplyAsync(() -> snapshots(1).runOnce());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> boxes.stream().filter(b -> job(b) != null).count() == 1);
    Box firstBatch = boxes.stream().filter(b -> job(b) != null).findFirst().orElseThrow();
    Box secondBatch = firstBatch == one ? two : one;
    await().during(Duration.ofMillis(300)).until(() -> job(secondBatch) == null);

    Kubelet.finishJob(client, ns(firstBatch), TODAY, true);
    await().atMost(Duration.ofSeconds(10)).until(() -> job(secondBatch) != null);
    Kubelet.finishJob(client, ns(secondBatch), TODAY, true);

    assertThat(pass.get(10, TimeUnit.SECONDS).complete()).isTrue();
  }

  @Test
  void onePassPerIntervalAcrossReplicasAndEveryReplicaReportsItsTime() throws Exception {
    redis = Redis.connect(new RedisSettings(testRedis.url(), testRedis.prefix(), 8));
    Box box = runningBox();
    Thread jobController = finishSnapshotJobs();
    try {
      RedisLock lock =
          new RedisLock(redis, redis.key("operator", "workspace-snapshots"), Duration.ofDays(1));
      String lastSuccess = redis.key("operator", "workspace-snapshots", "last-success");
      PrometheusMeterRegistry otherRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      OperatorMetrics otherMetrics = new OperatorMetrics(otherRegistry);
      WorkspaceSnapshots other =
          new WorkspaceSnapshots(
              runtime(),
              client,
              settings,
              store,
              new WorkspaceSnapshots.Schedule(Duration.ofDays(1), 10),
              clock,
              otherMetrics,
              Duration.ofMillis(50));

      snapshots(10).tick(redis, lock, lastSuccess);
      assertThat(jobs(box)).hasSize(1);
      assertThat(counted("succeeded")).isEqualTo(1);

      other.tick(redis, lock, lastSuccess);
      assertThat(
              otherRegistry
                  .get("openclaw_workspace_archives")
                  .tag("reason", "snapshot")
                  .tag("outcome", "succeeded")
                  .counter()
                  .count())
          .as("the pass of this interval ran on the first replica")
          .isZero();
      assertThat(
              otherRegistry
                  .get("openclaw_backup_last_success_timestamp_seconds")
                  .tag("kind", "workspaces")
                  .gauge()
                  .value())
          .as("every replica exports the last success")
          .isEqualTo((double) clock.instant().getEpochSecond());
    } finally {
      jobController.interrupt();
    }
  }

  /** Plays the Job controller: every snapshot Job without a status succeeds. */
  Thread finishSnapshotJobs() {
    return Thread.ofVirtual()
        .start(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  for (Job job : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
                    if (job.getStatus() == null
                        && job.getMetadata().getName().startsWith("workspace-snapshot-")) {
                      Kubelet.finishJob(
                          client,
                          job.getMetadata().getNamespace(),
                          job.getMetadata().getName(),
                          true);
                    }
                  }
                } catch (RuntimeException e) {
                  // next round
                }
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
  }
}
