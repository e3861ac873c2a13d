package cloud.openclaw.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.OperatorServiceConfig;
import cloud.openclaw.operator.jobs.BoxJobs;
import cloud.openclaw.operator.jobs.Progress;
import cloud.openclaw.operator.jobs.TestBoxJobs;
import cloud.openclaw.operator.reconcile.Reconciler;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.ProxyTokenStatus;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobFailedException;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobSupersededException;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job handler and the reconciler on the local runtime: real PostgreSQL, Redis and token proxy,
 * real child processes in real box directories; the gateway is {@link FakeGateway} (it serves
 * /startupz), so every job type runs in seconds. LocalRuntimeIT and LocalBenchmark run the real
 * OpenClaw gateway.
 */
class LocalBoxJobsIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  @TempDir static Path tmp;

  static Database database;
  static Redis redis;
  static cloud.openclaw.sandbox.Main.Sandbox sandbox;
  static RunningService proxyService;
  static TokenProxyClient proxy;
  static String proxyInternalUrl;
  static BoxStore boxes;
  static ProxyTokenStore tokens;
  static FakeNpm npm;
  static LocalRuntime processes;
  static BoxJobs jobs;

  @BeforeAll
  static void start() throws Exception {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    sandbox = TestServices.sandbox();
    TestTokenProxy.Started started = TestTokenProxy.start(postgres, testRedis, sandbox.port());
    proxyService = started.service();
    proxyInternalUrl = started.internalUrl();
    proxy = started.client();
    boxes =
        new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
    tokens = new ProxyTokenStore(database);
    npm = FakeNpm.serving(tmp.resolve("npm"));
    processes = new LocalRuntime(tmp.resolve("data"), npm.install(tmp.resolve("cache")));
    jobs = jobs(processes);
  }

  static BoxJobs jobs(LocalRuntime processes) {
    return TestBoxJobs.of(
        database,
        boxes,
        Runtimes.of(runtime(processes)),
        proxy,
        new Progress(new EventBus(redis), database, Clock.systemUTC()),
        Duration.ofSeconds(30));
  }

  static LocalGatewayRuntime runtime(LocalRuntime processes) {
    return new LocalGatewayRuntime(
        processes,
        "http://127.0.0.1:" + proxyService.port() + "/v1",
        java.util.Optional.of("http://127.0.0.1:" + sandbox.port() + "/telegram"));
  }

  /** Each test starts with no live box, so that the reconciler sees only its own. */
  @AfterEach
  void destroyAll() {
    for (Box box : boxes.listLive(database.execute())) {
      processes.destroy(box.id());
      boxes.markObserved(database.execute(), box.id(), BoxObservedState.DESTROYED, null);
    }
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(processes, proxyService, sandbox, redis, database);
  }

  @Test
  void provisionStartsTheGatewayWithAWorkingTokenAndRecordsItsSteps() throws Exception {
    Box box = newBox();
    Job job = enqueued(JobType.PROVISION, box);
    jobs.handle(job);

    Box after = boxes.find(box.id()).orElseThrow();
    assertThat(after.observedState()).isEqualTo(BoxObservedState.RUNNING);
    assertThat(after.readyAt()).isNotNull();
    assertThat(after.namespace()).as("no namespace on one machine").isNull();
    assertThat(steps(job.id()))
        .containsExactly(
            "accepted", "token", "config", "resources", "scheduled", "starting", "live");

    Path dir = processes.boxDir(box.id());
    String token = Files.readString(dir.resolve("proxy-token"));
    assertThat(tokens.findByToken(token).orElseThrow().status()).isEqualTo(ProxyTokenStatus.ACTIVE);
    assertThat(Files.readString(dir.resolve("openclaw.json")))
        .contains(token)
        .contains("/telegram")
        .contains("\"port\" : " + processes.port(box.id()).orElseThrow());
    long pid = processes.pid(box.id()).orElseThrow();

    // Twice: the same process, the same (and only) active token.
    jobs.handle(enqueued(JobType.PROVISION, box));
    assertThat(processes.pid(box.id())).hasValue(pid);
    assertThat(Files.readString(dir.resolve("proxy-token"))).isEqualTo(token);
    assertThat(activeTokens(box)).isEqualTo(1);
  }

  @Test
  void suspendStopsTheGatewayAndItsTokenAndReactivateBringsThemBack() throws Exception {
    Box box = newBox();
    jobs.handle(enqueued(JobType.PROVISION, box));
    long pid = processes.pid(box.id()).orElseThrow();
    String token = Files.readString(processes.boxDir(box.id()).resolve("proxy-token"));

    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.SUSPENDED);
    jobs.handle(enqueued(JobType.SUSPEND, box));
    jobs.handle(enqueued(JobType.SUSPEND, box));
    assertThat(processes.isRunning(box.id())).isFalse();
    assertThat(alive(pid)).isFalse();
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.SUSPENDED);
    assertThat(tokens.findByToken(token).orElseThrow().status())
        .isEqualTo(ProxyTokenStatus.SUSPENDED);
    assertThat(processes.boxDir(box.id())).as("suspend keeps the box's state").isDirectory();

    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.RUNNING);
    jobs.handle(enqueued(JobType.REACTIVATE, box));
    long resumed = processes.pid(box.id()).orElseThrow();
    jobs.handle(enqueued(JobType.REACTIVATE, box));
    assertThat(processes.pid(box.id())).hasValue(resumed);
    assertThat(processes.isStarted(box.id())).isTrue();
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);
    assertThat(tokens.findByToken(token).orElseThrow().status()).isEqualTo(ProxyTokenStatus.ACTIVE);
  }

  @Test
  void aBoxProvisionedWhileSuspendedIsSetUpButNotStarted() throws Exception {
    Box box = newBox();
    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.SUSPENDED);
    jobs.handle(enqueued(JobType.PROVISION, box));
    assertThat(processes.isRunning(box.id())).isFalse();
    assertThat(processes.boxDir(box.id()).resolve("openclaw.json")).isRegularFile();
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.SUSPENDED);

    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.RUNNING);
    jobs.handle(enqueued(JobType.REACTIVATE, box));
    assertThat(processes.isStarted(box.id())).isTrue();
  }

  @Test
  void updateRewritesTheConfigAndRestartsTheGatewayOnce() throws Exception {
    Box box = newBox();
    jobs.handle(enqueued(JobType.PROVISION, box));
    Path dir = processes.boxDir(box.id());
    long pid = processes.pid(box.id()).orElseThrow();
    int launches = launches(box);

    boxes.updateSettings(
        database.execute(),
        box.id(),
        new BoxSettings(List.of(42L, 4242L), "kimi-k3", ThinkingLevel.HIGH));
    jobs.handle(enqueued(JobType.UPDATE, box));

    assertThat(Files.readString(dir.resolve("openclaw.json")))
        .contains("\"4242\"")
        .contains("kimi-k3")
        .contains("\"thinkingDefault\" : \"high\"");
    assertThat(processes.pid(box.id()).orElseThrow()).isNotEqualTo(pid);
    assertThat(alive(pid)).isFalse();
    assertThat(launches(box)).as("one restart").isEqualTo(launches + 1);
    assertThat(processes.isStarted(box.id())).isTrue();
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);

    // An update without a change still rolls the gateway, once.
    long second = processes.pid(box.id()).orElseThrow();
    jobs.handle(enqueued(JobType.UPDATE, box));
    assertThat(processes.pid(box.id()).orElseThrow()).isNotEqualTo(second);
    assertThat(launches(box)).isEqualTo(launches + 2);
  }

  @Test
  void destroyRemovesEverythingAndRevokesTheToken() throws Exception {
    Box box = newBox();
    jobs.handle(enqueued(JobType.PROVISION, box));
    Path dir = processes.boxDir(box.id());
    String token = Files.readString(dir.resolve("proxy-token"));
    long pid = processes.pid(box.id()).orElseThrow();

    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.DESTROYED);
    Job destroy = enqueued(JobType.DESTROY, box);
    jobs.handle(destroy);
    jobs.handle(enqueued(JobType.DESTROY, box));

    assertThat(dir).doesNotExist();
    assertThat(alive(pid)).isFalse();
    assertThat(tokens.findByToken(token).orElseThrow().status())
        .isEqualTo(ProxyTokenStatus.REVOKED);
    Box after = boxes.find(box.id()).orElseThrow();
    assertThat(after.observedState()).isEqualTo(BoxObservedState.DESTROYED);
    assertThat(after.destroyedAt()).isNotNull();
    assertThat(steps(destroy.id())).last().isEqualTo("destroyed");

    Job late = enqueued(JobType.PROVISION, box); // late: does nothing
    assertThatThrownBy(() -> jobs.handle(late)).isInstanceOf(JobSupersededException.class);
    assertThat(steps(late.id())).containsExactly("superseded");
    assertThat(dir).doesNotExist();
  }

  @Test
  void theNextBoxOfACustomerStartsWithTheMemoryTheirDestroyedBoxLeft() throws Exception {
    Box first = newBox();
    jobs.handle(enqueued(JobType.PROVISION, first));
    Path memory = processes.workspaceDir(first.id()).resolve("MEMORY.md");
    Files.writeString(memory, "- prefers tea over coffee\n");
    Files.createDirectories(memory.resolveSibling("memory"));
    Files.writeString(memory.resolveSibling("memory/2026-12-03.md"), "talked about Lisbon\n");

    boxes.setDesiredState(database.execute(), first.id(), BoxDesiredState.DESTROYED);
    jobs.handle(enqueued(JobType.DESTROY, first));
    assertThat(processes.boxDir(first.id())).doesNotExist();

    Box next =
        boxes.create(
            database.execute(), TestTokenProxy.newBox(first.customerId(), BoxRuntime.LOCAL));
    jobs.handle(enqueued(JobType.PROVISION, next));
    Path workspace = processes.workspaceDir(next.id());
    assertThat(workspace.resolve("MEMORY.md")).hasContent("- prefers tea over coffee\n");
    assertThat(workspace.resolve("memory/2026-12-03.md")).hasContent("talked about Lisbon\n");
    assertThat(processes.pid(next.id())).isPresent();

    // Another customer's box starts empty.
    Box stranger = newBox();
    jobs.handle(enqueued(JobType.PROVISION, stranger));
    assertThat(processes.workspaceDir(stranger.id()).resolve("MEMORY.md")).doesNotExist();
  }

  @Test
  void aBoxOnARuntimeThisOperatorDoesNotRunFailsAtOnceWithAReason() {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    Box box =
        boxes.create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.KUBERNETES));
    assertThatThrownBy(() -> jobs.handle(enqueued(JobType.PROVISION, box)))
        .isInstanceOf(JobFailedException.class);
    Box after = boxes.find(box.id()).orElseThrow();
    assertThat(after.observedState()).isEqualTo(BoxObservedState.FAILED);
    assertThat(after.lastError()).contains("kubernetes");
  }

  @Test
  void afterAnOperatorCrashTheReconcilerAdoptsLiveGatewaysAndReprovisionsDeadOnes()
      throws Exception {
    LocalRuntime first = new LocalRuntime(tmp.resolve("crash"), npm.install(tmp.resolve("cache")));
    BoxJobs firstJobs = jobs(first);
    Box survivor = newBox();
    Box victim = newBox();
    firstJobs.handle(enqueued(JobType.PROVISION, survivor));
    firstJobs.handle(enqueued(JobType.PROVISION, victim));
    long survivorPid = first.pid(survivor.id()).orElseThrow();
    long victimPid = first.pid(victim.id()).orElseThrow();
    int survivorPort = first.port(survivor.id()).orElseThrow();
    Path orphan = first.boxDir(UUID.randomUUID());
    Files.createDirectories(orphan);

    first.abandon(); // the operator dies; its gateways live on
    ProcessHandle.of(victimPid).orElseThrow().destroyForcibly(); // and one dies while it is down
    await().atMost(Duration.ofSeconds(10)).until(() -> !alive(victimPid));

    LocalRuntime second = new LocalRuntime(tmp.resolve("crash"), npm.install(tmp.resolve("cache")));
    try {
      JobStore store = new JobStore(database, 5);
      JobStream stream = new JobStream(redis, "reconcile-" + UUID.randomUUID());
      stream.ensureGroup();
      Reconciler reconciler = new Reconciler(boxes, Runtimes.of(runtime(second)), store, stream);
      Reconciler.Report report = reconciler.runOnce();

      assertThat(second.pid(survivor.id())).as("adopted").hasValue(survivorPid);
      assertThat(second.port(survivor.id())).hasValue(survivorPort);
      assertThat(second.isStarted(survivor.id())).isTrue();
      assertThat(report.provisionsEnqueued()).isEqualTo(1);
      assertThat(store.listForBox(victim.id(), 10))
          .anySatisfy(j -> assertThat(j.type()).isEqualTo(JobType.PROVISION));
      assertThat(store.listForBox(survivor.id(), 10))
          .noneSatisfy(j -> assertThat(j.idempotencyKey()).startsWith("reconcile:"));
      assertThat(report.orphansRemoved()).isEqualTo(1);
      assertThat(orphan).doesNotExist();

      // The adopted gateway is the second runtime's now: provisioning again keeps it...
      BoxJobs secondJobs = jobs(second);
      secondJobs.handle(enqueued(JobType.PROVISION, survivor));
      assertThat(second.pid(survivor.id())).hasValue(survivorPid);
      // ...the re-provision brings the dead one back...
      secondJobs.handle(enqueued(JobType.PROVISION, victim));
      assertThat(second.isStarted(victim.id())).isTrue();
      // ...and if the adopted one dies, it is restarted like any other.
      ProcessHandle.of(survivorPid).orElseThrow().destroyForcibly();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> second.pid(survivor.id()).orElse(survivorPid) != survivorPid);
      // Stopping it stops it for good.
      boxes.setDesiredState(database.execute(), survivor.id(), BoxDesiredState.SUSPENDED);
      secondJobs.handle(enqueued(JobType.SUSPEND, survivor));
      assertThat(second.isRunning(survivor.id())).isFalse();
    } finally {
      second.close();
    }
  }

  @Test
  void theOperatorServiceRunsLocalBoxesWhenOnlyTheLocalRuntimeIsEnabled() throws Exception {
    Box box = newBox();
    npm.install(tmp.resolve("cache")).ensureInstalled(); // never the real npm
    Map<String, String> overrides = OperatorServiceConfig.base(postgres, testRedis);
    overrides.put("operator.local.enabled", "true");
    Path data = tmp.resolve("service");
    overrides.put("operator.local.data-dir", data.toString());
    overrides.put("operator.local.cache-dir", tmp.resolve("cache").toString());
    overrides.put("operator.local.port-range", "0");
    overrides.put("operator.local.token-proxy-base-url", "http://127.0.0.1:9/v1");
    overrides.put("operator.token-proxy.internal-url", proxyInternalUrl);
    overrides.put("operator.token-proxy.internal-token", TestTokenProxy.INTERNAL_TOKEN);
    overrides.put("operator.ready-timeout", "PT20S");
    // The service checks the box's bot with Telegram before the box is running.
    sandbox.telegram().addBot(boxes.openBotToken(box), box.botUsername(), null);
    overrides.put("telegram.api-root", "http://127.0.0.1:" + sandbox.port() + "/telegram");
    JobQueue queue =
        new JobQueue(
            new JobStore(database, 8), new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
    JobStore store = new JobStore(database, 8);
    try (RunningService operator =
        cloud.openclaw.operator.Main.start(ConfigLoader.load("operator", Map.of(), overrides))) {
      Job job = queue.enqueue(new NewJob(JobType.PROVISION, box.id(), null, "svc-" + box.id()));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> store.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED);
      assertThat(data.resolve("boxes").resolve(box.id().toString()).resolve("gateway.pid"))
          .isRegularFile();
    }
    // Closing the service stops its gateways.
    assertThat(data.resolve("boxes").resolve(box.id().toString()).resolve("gateway.pid"))
        .doesNotExist();
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);
  }

  // --- helpers

  static Box newBox() {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    Box box = boxes.create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.LOCAL));
    TestTokenProxy.openPeriod(proxy, customer, 1_000_000);
    return box;
  }

  static Job enqueued(JobType type, Box box) {
    return JobRows.enqueued(database, type, box);
  }

  static List<String> steps(UUID jobId) {
    return JobRows.steps(database, jobId);
  }

  static long activeTokens(Box box) {
    return tokens.listForBox(database.execute(), box.id()).stream()
        .filter(t -> t.status() == ProxyTokenStatus.ACTIVE)
        .count();
  }

  static int launches(Box box) throws java.io.IOException {
    return Files.readAllLines(processes.boxDir(box.id()).resolve("launches")).size();
  }

  static boolean alive(long pid) {
    return JobRows.alive(pid);
  }
}
