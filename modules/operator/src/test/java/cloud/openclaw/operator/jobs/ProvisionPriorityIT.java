package cloud.openclaw.operator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.kubernetes.Kubelet;
import cloud.openclaw.operator.kubernetes.TestBoxes;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Item 4 of issue 14: one customer's (or many customers') updates cannot starve provisioning. The
 * operator service with its default workers (16, of which 4 take lifecycle jobs only) on the mock
 * API server; every update holds its worker (the kubelet never makes its gateway available, as with
 * a slow image) and 100 more wait; a new customer's provision is claimed and runs to live all the
 * same. The latency is measured in the operator benchmark ({@code priority}), not here.
 */
@EnableKubernetesMockClient(crud = true)
class ProvisionPriorityIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final int WORKERS = 16;
  static final int UPDATE_WORKERS = WORKERS - 4;
  static final int WAITING = 100;

  static KubernetesClient client;
  static KubernetesMockServer server;
  static JobInterleavings.Fixture fixture;
  static Thread kubelet;
  static final Set<String> slow = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    fixture = JobInterleavings.Fixture.start(postgres, testRedis);
    kubelet = Kubelet.followAll(client, namespace -> !slow.contains(namespace));
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.interrupt();
    }
    fixture.close();
  }

  @Test
  void aProvisionIsClaimedAndGoesLiveWhileEveryUpdateWorkerIsBusyAndAHundredUpdatesWait() {
    Map<String, String> overrides = fixture.operatorOverrides();
    overrides.put("operator.kubernetes.enabled", "true");
    overrides.put("operator.ready-timeout", "PT10M");
    List<Box> updated = new ArrayList<>();
    for (int i = 0; i < UPDATE_WORKERS + WAITING; i++) {
      Box box = newBox();
      slow.add(BoxResources.namespaceName(box.id(), TestBoxes.kubernetes()));
      updated.add(box);
    }
    try (RunningService ignored =
        cloud.openclaw.operator.Main.start(
            ConfigLoader.load("operator", Map.of(), overrides),
            () -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build())) {
      try {
        holdEveryUpdateWorkerThenProvision(updated);
      } finally {
        // Those customers leave: the held updates stop waiting, the waiting ones are superseded.
        for (Box box : updated) {
          fixture
              .boxes()
              .setDesiredState(fixture.database().execute(), box.id(), BoxDesiredState.DESTROYED);
        }
        Awaitility.await("the updates to end")
            .atMost(Duration.ofMinutes(2))
            .until(
                () ->
                    count(JobType.UPDATE, JobStatus.QUEUED)
                            + count(JobType.UPDATE, JobStatus.RUNNING)
                        == 0);
      }
    }
  }

  private void holdEveryUpdateWorkerThenProvision(List<Box> updated) {
    for (Box box : updated) {
      fixture.queue().enqueue(new NewJob(JobType.UPDATE, box.id(), null, "settings:" + box.id()));
    }
    Awaitility.await("every worker that takes updates to hold one")
        .atMost(Duration.ofMinutes(3))
        .until(() -> count(JobType.UPDATE, JobStatus.RUNNING) >= UPDATE_WORKERS);

    Box paid = newBox();
    Job provision =
        fixture
            .queue()
            .enqueue(new NewJob(JobType.PROVISION, paid.id(), null, "provision:" + paid.id()));
    Awaitility.await("the provision to run to live")
        .atMost(Duration.ofMinutes(1))
        .until(() -> fixture.jobs().find(provision.id()).orElseThrow().status().isFinal());

    assertThat(fixture.jobs().find(provision.id()).orElseThrow().status())
        .isEqualTo(JobStatus.SUCCEEDED);
    assertThat(fixture.boxes().find(paid.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);
    assertThat(count(JobType.UPDATE, JobStatus.RUNNING)).isEqualTo(UPDATE_WORKERS);
    assertThat(count(JobType.UPDATE, JobStatus.QUEUED)).isEqualTo(WAITING);
  }

  private static Box newBox() {
    return fixture.newBox(BoxRuntime.KUBERNETES);
  }

  private static long count(JobType type, JobStatus status) {
    return fixture
        .database()
        .execute()
        .get(
            "SELECT count(*) AS n FROM operator_jobs WHERE type = ? AND status = ?",
            type.dbValue(),
            status.dbValue())
        .map(row -> Rows.longValue(row, "n"))
        .orElseThrow();
  }
}
