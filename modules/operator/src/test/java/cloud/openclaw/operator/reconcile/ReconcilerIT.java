package cloud.openclaw.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.operator.OperatorServiceConfig;
import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.kubernetes.KubernetesRuntime;
import cloud.openclaw.operator.kubernetes.KubernetesSettings;
import cloud.openclaw.operator.kubernetes.TestBoxes;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.JobSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.JobWorker;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reconciler against real PostgreSQL and Redis, with fabric8's CRUD mock as the cluster. Every
 * test leaves the drift it made repaired, so each pass sees only its own test's drift.
 */
@EnableKubernetesMockClient(crud = true)
class ReconcilerIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final String QUEUE = "operator";

  static KubernetesClient client;
  static KubernetesMockServer server;

  static Database database;
  static Redis redis;
  static BoxStore boxes;
  static ProxyTokenStore tokens;
  static JobStore jobs;
  static JobStream stream;
  static KubernetesSettings kubernetes;
  static Reconciler reconciler;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    boxes =
        new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
    tokens = new ProxyTokenStore(database);
    jobs = new JobStore(database, 5);
    stream = new JobStream(redis, QUEUE);
    stream.ensureGroup();
    kubernetes = TestBoxes.kubernetes();
    reconciler =
        new Reconciler(boxes, Runtimes.of(new KubernetesRuntime(client, kubernetes)), jobs, stream);
  }

  @AfterAll
  static void stop() {
    redis.close();
    database.close();
  }

  @Test
  void aRunningBoxWhoseNamespaceVanishedIsProvisionedOnce() {
    Box box = observed(newBox(BoxRuntime.KUBERNETES), BoxObservedState.RUNNING);
    String ns = createNamespace(box);
    client.namespaces().withName(ns).delete(); // someone deleted it by hand
    await(() -> client.namespaces().withName(ns).get() == null, "the namespace to go");

    Reconciler.Report first = reconciler.runOnce();
    assertThat(first.provisionsEnqueued()).isEqualTo(1);
    List<Job> enqueued = jobs.listForBox(box.id(), 10);
    assertThat(enqueued).hasSize(1);
    assertThat(enqueued.getFirst().type()).isEqualTo(JobType.PROVISION);
    assertThat(enqueued.getFirst().status()).isEqualTo(JobStatus.QUEUED);
    assertThat(enqueued.getFirst().idempotencyKey()).startsWith("reconcile:provision:" + box.id());

    // Again while the job waits: nothing more.
    assertThat(reconciler.runOnce().provisionsEnqueued()).isZero();
    // Nor once that job is over while the box's row stays as it was (the same drift).
    finish(enqueued.getFirst());
    assertThat(reconciler.runOnce().provisionsEnqueued()).isZero();
    assertThat(jobs.listForBox(box.id(), 10)).hasSize(1);

    // A loss after the box changed again is a new drift.
    Box later = observed(box, BoxObservedState.RUNNING);
    assertThat(later.updatedAt()).isAfter(box.updatedAt());
    assertThat(reconciler.runOnce().provisionsEnqueued()).isEqualTo(1);
    assertThat(jobs.listForBox(box.id(), 10)).hasSize(2);
    jobs.listForBox(box.id(), 10).forEach(ReconcilerIT::finish);
    observed(box, BoxObservedState.DESTROYED); // no drift left for the other tests
  }

  @Test
  void aBoxWithAJobUnderwayIsLeftToThatJob() {
    Box box = observed(newBox(BoxRuntime.KUBERNETES), BoxObservedState.RUNNING);
    Job update =
        jobs.insert(
                database.execute(),
                new NewJob(JobType.UPDATE, box.id(), null, "it-update-" + box.id()))
            .job();
    assertThat(reconciler.runOnce().provisionsEnqueued()).isZero();
    assertThat(jobs.listForBox(box.id(), 10)).extracting(Job::id).containsExactly(update.id());
    finish(update);
    observed(box, BoxObservedState.DESTROYED);
  }

  @Test
  void boxesNotMeantToRunOnKubernetesAreUntouched() {
    Box suspended = newBox(BoxRuntime.KUBERNETES);
    boxes.setDesiredState(database.execute(), suspended.id(), BoxDesiredState.SUSPENDED);
    observed(suspended, BoxObservedState.SUSPENDED); // and no namespace
    Box suspendedWithNamespace = newBox(BoxRuntime.KUBERNETES);
    boxes.setDesiredState(
        database.execute(), suspendedWithNamespace.id(), BoxDesiredState.SUSPENDED);
    observed(suspendedWithNamespace, BoxObservedState.SUSPENDED);
    String ns = createNamespace(suspendedWithNamespace);
    Box local = observed(newBox(BoxRuntime.LOCAL), BoxObservedState.RUNNING);
    Box pending = newBox(BoxRuntime.KUBERNETES); // its provision job is the API's business
    Box failed = observed(newBox(BoxRuntime.KUBERNETES), BoxObservedState.FAILED);
    Box destroying = observed(newBox(BoxRuntime.KUBERNETES), BoxObservedState.RUNNING);
    String destroyingNs = createNamespace(destroying);
    boxes.setDesiredState(database.execute(), destroying.id(), BoxDesiredState.DESTROYED);

    Reconciler.Report report = reconciler.runOnce();

    assertThat(report.nothingToDo()).as(report.toString()).isTrue();
    for (Box box : List.of(suspended, suspendedWithNamespace, local, pending, failed, destroying)) {
      assertThat(jobs.listForBox(box.id(), 10)).as(box.toString()).isEmpty();
    }
    assertThat(client.namespaces().withName(ns).get()).isNotNull();
    assertThat(client.namespaces().withName(destroyingNs).get()).isNotNull();
    client.namespaces().withName(destroyingNs).delete();
    observed(destroying, BoxObservedState.DESTROYED);
  }

  @Test
  void theNamespaceOfADestroyedBoxIsRemoved() {
    Box box = observed(newBox(BoxRuntime.KUBERNETES), BoxObservedState.RUNNING);
    String ns = createNamespace(box);
    observed(box, BoxObservedState.DESTROYED); // the destroy job died before deleting it

    assertThat(reconciler.runOnce().orphansRemoved()).isEqualTo(1);
    assertThat(client.namespaces().withName(ns).get()).isNull();
    assertThat(reconciler.runOnce().nothingToDo()).isTrue();
  }

  @Test
  void managedNamespacesOfUnknownBoxesAreRemovedAndOthersUntouched() {
    UUID unknown = UUID.randomUUID();
    String orphan = BoxResources.namespaceName(unknown, kubernetes);
    createNamespace(orphan, managedLabels(unknown));
    // Not ours: no labels; our box label but not our managed-by label; managed-by without a
    // box; another installation's prefix.
    String unrelated = "team-" + UUID.randomUUID().toString().substring(0, 8);
    createNamespace(unrelated, Map.of());
    String boxLabelOnly = BoxResources.namespaceName(UUID.randomUUID(), kubernetes);
    createNamespace(boxLabelOnly, Map.of(BoxResources.BOX_LABEL, UUID.randomUUID().toString()));
    String noBox = "box-nobox" + UUID.randomUUID().toString().substring(0, 8);
    createNamespace(noBox, Map.of(BoxResources.MANAGED_BY_LABEL, BoxResources.MANAGED_BY));
    UUID elsewhere = UUID.randomUUID();
    String otherInstallation = "staging-" + elsewhere.toString().substring(0, 8);
    createNamespace(otherInstallation, managedLabels(elsewhere));

    Reconciler.Report report = reconciler.runOnce();

    assertThat(report.orphansRemoved()).isEqualTo(1);
    assertThat(report.failures()).isZero();
    assertThat(client.namespaces().withName(orphan).get()).isNull();
    for (String ns : List.of(unrelated, boxLabelOnly, noBox, otherInstallation)) {
      assertThat(client.namespaces().withName(ns).get()).as(ns).isNotNull();
      client.namespaces().withName(ns).delete();
    }
  }

  @Test
  void anOrphanAlreadyTerminatingIsLeftToFinish() {
    UUID unknown = UUID.randomUUID();
    String ns = BoxResources.namespaceName(unknown, kubernetes);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .withLabels(managedLabels(unknown))
                .withFinalizers("openclaw.cloud/test-hold")
                .endMetadata()
                .build())
        .create();
    client.namespaces().withName(ns).delete(); // held by the finalizer: terminating
    assertThat(client.namespaces().withName(ns).get().getMetadata().getDeletionTimestamp())
        .isNotNull();

    Reconciler.Report report = reconciler.runOnce(); // does not wait for it
    assertThat(report.nothingToDo()).as(report.toString()).isTrue();
    assertThat(client.namespaces().withName(ns).get()).isNotNull();

    client
        .namespaces()
        .withName(ns)
        .edit(n -> new NamespaceBuilder(n).editMetadata().withFinalizers().endMetadata().build());
  }

  @Test
  void aJobStuckRunningPastItsLeaseIsRetriedToSuccess() throws Exception {
    Box box = observed(newBox(BoxRuntime.KUBERNETES), BoxObservedState.RUNNING);
    createNamespace(box);
    Job job =
        jobs.insert(
                database.execute(),
                new NewJob(JobType.UPDATE, box.id(), null, "it-stuck-" + box.id()))
            .job();
    // Claimed by a consumer that died: running, its lease over, its stream entry long gone.
    database
        .execute()
        .dml(
            """
            UPDATE operator_jobs SET status = 'running', attempts = 1, locked_by = 'dead-consumer',
                   locked_until = now() - interval '1 minute', started_at = now()
             WHERE id = ?""",
            job.id());

    List<UUID> handled = new CopyOnWriteArrayList<>();
    JobSettings settings =
        new JobSettings(
            Duration.ofSeconds(30),
            5,
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            Duration.ofHours(1),
            Duration.ofHours(1),
            Duration.ofMillis(200));
    try (JobWorker ignored =
        new JobWorker(jobs, stream, settings, "it-consumer", j -> handled.add(j.id())).start()) {
      // The worker reads the stream and finds nothing: the job stays stuck in running.
      Awaitility.await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> jobs.find(job.id()).orElseThrow().status() == JobStatus.RUNNING);

      assertThat(reconciler.runOnce().stuckJobsRetried()).isEqualTo(1);
      await(
          () -> jobs.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED,
          "the stuck job to be retried");
    }
    assertThat(handled).containsExactly(job.id());
    Job after = jobs.find(job.id()).orElseThrow();
    assertThat(after.attempts()).isEqualTo(2);
    assertThat(reconciler.runOnce().stuckJobsRetried()).isZero();
    jobs.listForBox(box.id(), 10).forEach(ReconcilerIT::finish);
    observed(box, BoxObservedState.DESTROYED); // no drift left for the other tests
  }

  @Test
  void aSuspendedBoxWhoseGatewayStillRunsOrWhoseTokenIsActiveGetsASuspendJob() {
    Box running = suspended(newBox(BoxRuntime.KUBERNETES));
    gateway(running, 1);
    tokens.issue(database.execute(), running.id()); // and suspended below
    suspendTokens(running);
    Box activeToken = suspended(newBox(BoxRuntime.KUBERNETES));
    gateway(activeToken, 0);
    tokens.issue(database.execute(), activeToken.id());
    Box converged = suspended(newBox(BoxRuntime.KUBERNETES));
    gateway(converged, 0);
    tokens.issue(database.execute(), converged.id());
    suspendTokens(converged);

    Reconciler.Report report = reconciler.runOnce();

    assertThat(report.suspendsEnqueued()).as(report.toString()).isEqualTo(2);
    assertThat(report.provisionsEnqueued() + report.updatesEnqueued()).isZero();
    for (Box box : List.of(running, activeToken)) {
      List<Job> enqueued = jobs.listForBox(box.id(), 10);
      assertThat(enqueued).extracting(Job::type).containsExactly(JobType.SUSPEND);
      assertThat(enqueued.getFirst().idempotencyKey()).startsWith("reconcile:suspend:" + box.id());
    }
    assertThat(jobs.listForBox(converged.id(), 10)).isEmpty();
    // Again while the jobs wait: nothing more.
    assertThat(reconciler.runOnce().nothingToDo()).isTrue();
    for (Box box : List.of(running, activeToken, converged)) {
      jobs.listForBox(box.id(), 10).forEach(ReconcilerIT::finish);
      observed(box, BoxObservedState.DESTROYED);
    }
  }

  @Test
  void aRunningBoxScaledToZeroOrWithoutAnActiveTokenIsProvisioned() {
    Box scaledDown = observed(newBox(BoxRuntime.KUBERNETES), BoxObservedState.RUNNING);
    gateway(scaledDown, 0);
    tokens.issue(database.execute(), scaledDown.id());
    Box tokenSuspended = observed(newBox(BoxRuntime.KUBERNETES), BoxObservedState.RUNNING);
    gateway(tokenSuspended, 1);
    tokens.issue(database.execute(), tokenSuspended.id());
    suspendTokens(tokenSuspended); // the issue's case: serving, and every call refused
    Box converged = converged(newBox(BoxRuntime.KUBERNETES));

    Reconciler.Report report = reconciler.runOnce();

    assertThat(report.provisionsEnqueued()).as(report.toString()).isEqualTo(2);
    assertThat(report.suspendsEnqueued() + report.updatesEnqueued()).isZero();
    for (Box box : List.of(scaledDown, tokenSuspended)) {
      assertThat(jobs.listForBox(box.id(), 10))
          .extracting(Job::type)
          .containsExactly(JobType.PROVISION);
    }
    assertThat(jobs.listForBox(converged.id(), 10)).isEmpty();
    for (Box box : List.of(scaledDown, tokenSuspended, converged)) {
      jobs.listForBox(box.id(), 10).forEach(ReconcilerIT::finish);
      observed(box, BoxObservedState.DESTROYED);
    }
  }

  @Test
  void aRunningBoxWhoseGatewayRunsWithOtherSettingsGetsAnUpdate() {
    Box box = converged(newBox(BoxRuntime.KUBERNETES));
    Box appliedBeforeItWasRecorded = converged(newBox(BoxRuntime.KUBERNETES));
    client
        .apps()
        .deployments()
        .inNamespace(BoxResources.namespaceName(appliedBeforeItWasRecorded.id(), kubernetes))
        .withName(BoxResources.DEPLOYMENT)
        .edit(
            d -> {
              d.getMetadata().setAnnotations(Map.of());
              return d;
            });
    assertThat(reconciler.runOnce().nothingToDo()).isTrue();

    for (Box changed : List.of(box, appliedBeforeItWasRecorded)) {
      boxes.updateSettings(
          database.execute(),
          changed.id(),
          new BoxSettings(List.of(42L, 43L), "kimi-k2.6", ThinkingLevel.OFF));
    }
    Reconciler.Report report = reconciler.runOnce();

    assertThat(report.updatesEnqueued()).as(report.toString()).isEqualTo(1);
    assertThat(jobs.listForBox(box.id(), 10)).extracting(Job::type).containsExactly(JobType.UPDATE);
    assertThat(jobs.listForBox(appliedBeforeItWasRecorded.id(), 10)).isEmpty();
    for (Box done : List.of(box, appliedBeforeItWasRecorded)) {
      jobs.listForBox(done.id(), 10).forEach(ReconcilerIT::finish);
      observed(done, BoxObservedState.DESTROYED);
    }
  }

  @Test
  void aPassOverManyConvergedBoxesMakesTwoClusterCallsAndRepairsNothing() {
    int count = 500;
    for (int i = 0; i < count; i++) {
      converged(newBox(BoxRuntime.KUBERNETES));
    }
    long cold = System.nanoTime();
    reconciler.runOnce(); // warm up
    long coldMillis = (System.nanoTime() - cold) / 1_000_000;
    int requestsBefore = server.getRequestCount();
    long started = System.nanoTime();
    Reconciler.Report report = reconciler.runOnce();
    long millis = (System.nanoTime() - started) / 1_000_000;
    int requests = server.getRequestCount() - requestsBefore;
    System.out.println(
        "reconcile pass over "
            + count
            + "+ converged boxes: first "
            + coldMillis
            + " ms, then "
            + millis
            + " ms with "
            + requests
            + " API request(s)");
    assertThat(report.nothingToDo()).as(report.toString()).isTrue();
    assertThat(requests).isEqualTo(2);
  }

  @Test
  void theOperatorServiceReconcilesOnStart() {
    UUID unknown = UUID.randomUUID();
    String orphan = BoxResources.namespaceName(unknown, kubernetes);
    createNamespace(orphan, managedLabels(unknown));
    Map<String, String> overrides = OperatorServiceConfig.base(postgres, testRedis);
    overrides.put("operator.kubernetes.enabled", "true");
    overrides.put("operator.token-proxy.internal-url", "http://127.0.0.1:9");
    overrides.put("operator.token-proxy.internal-token", "unused-internal-token-0123456789");
    overrides.put("operator.reconcile-interval", "PT1H");
    try (RunningService operator =
        cloud.openclaw.operator.Main.start(
            ConfigLoader.load("operator", Map.of(), overrides),
            () -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build())) {
      await(() -> client.namespaces().withName(orphan).get() == null, "the orphan's removal");
    }
  }

  // --- helpers

  static Box newBox(BoxRuntime runtime) {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    return boxes.create(database.execute(), TestTokenProxy.newBox(customer, runtime));
  }

  static Box observed(Box box, BoxObservedState state) {
    return boxes.markObserved(database.execute(), box.id(), state, null);
  }

  /** Ends a job as a consumer would have. */
  static void finish(Job job) {
    database
        .execute()
        .dml(
            "UPDATE operator_jobs SET status = 'succeeded', finished_at = now() WHERE id = ?",
            job.id());
  }

  static Box suspended(Box box) {
    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.SUSPENDED);
    return observed(box, BoxObservedState.SUSPENDED);
  }

  /** Running, with its namespace, its gateway wanting a replica and an active token. */
  static Box converged(Box box) {
    Box running = observed(box, BoxObservedState.RUNNING);
    gateway(running, 1);
    tokens.issue(database.execute(), box.id());
    return running;
  }

  /** The box's namespace and gateway Deployment (as the operator writes them) with replicas. */
  static void gateway(Box box, int replicas) {
    BoxResources.Desired desired =
        BoxResources.desired(
            boxes.find(box.id()).orElseThrow(),
            kubernetes,
            new BoxResources.Secrets("1:bot", "oc_pt_x", "gateway"));
    client.resource(desired.namespace()).create();
    desired.deployment().getSpec().setReplicas(replicas);
    client.resource(desired.deployment()).create();
  }

  static void suspendTokens(Box box) {
    tokens.suspendForBox(database.execute(), box.id());
  }

  static Map<String, String> managedLabels(UUID boxId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(BoxResources.MANAGED_BY_LABEL, BoxResources.MANAGED_BY);
    labels.put(BoxResources.BOX_LABEL, boxId.toString());
    labels.put(BoxResources.CUSTOMER_LABEL, UUID.randomUUID().toString());
    return labels;
  }

  static String createNamespace(Box box) {
    String ns = BoxResources.namespaceName(box.id(), kubernetes);
    createNamespace(ns, managedLabels(box.id()));
    return ns;
  }

  static void createNamespace(String name, Map<String, String> labels) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  static void await(BooleanSupplier condition, String what) {
    Awaitility.await(what)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(condition::getAsBoolean);
  }
}
