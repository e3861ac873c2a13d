package cloud.openclaw.operator.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.operator.OperatorMetrics;
import cloud.openclaw.operator.OperatorServiceConfig;
import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.kubernetes.Kubelet;
import cloud.openclaw.operator.kubernetes.KubernetesRuntime;
import cloud.openclaw.operator.kubernetes.KubernetesSettings;
import cloud.openclaw.operator.kubernetes.TestBoxes;
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
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.jobs.Job;
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
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kubernetes job handler end to end: real PostgreSQL and Redis, fabric8's CRUD mock as the
 * cluster (with a stand-in kubelet marking gateways available), and a real token proxy in-process
 * with the sandbox's Kimi stand-in upstream.
 */
@EnableKubernetesMockClient(crud = true)
class BoxJobsIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final String INTERNAL_TOKEN = TestTokenProxy.INTERNAL_TOKEN;

  static KubernetesClient client;
  static KubernetesMockServer server;

  static Database database;
  static Redis redis;
  static cloud.openclaw.sandbox.Main.Sandbox sandbox;
  static RunningService proxyService;
  static TokenProxyClient proxy;
  static String proxyInternalUrl;
  static BoxStore boxes;
  static ProxyTokenStore tokens;
  static EventBus bus;
  static BoxJobs jobs;
  static KubernetesSettings kubernetes;
  static Thread kubelet;
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    sandbox = TestServices.sandbox();
    TestTokenProxy.Started started = TestTokenProxy.start(postgres, testRedis, sandbox.port());
    proxyService = started.service();
    proxyInternalUrl = started.internalUrl();
    proxy = started.client();

    SecretBox secrets = new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32])));
    boxes = new BoxStore(database, secrets);
    tokens = new ProxyTokenStore(database);
    bus = new EventBus(redis);
    kubernetes = TestBoxes.kubernetes();
    jobs =
        TestBoxJobs.of(
            database,
            boxes,
            Runtimes.of(new KubernetesRuntime(client, kubernetes)),
            proxy,
            new Progress(bus, database, Clock.systemUTC()),
            Duration.ofSeconds(20));
    kubelet = Kubelet.followAll(client);
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.interrupt();
    }
    TestServices.closeAll(proxyService, sandbox, redis, database);
  }

  @Test
  void provisionRunsTheBoxWithAWorkingTokenAndReportsEveryStep() throws Exception {
    Box box = newBox();
    List<JsonNode> events = new CopyOnWriteArrayList<>();
    try (EventBus.Subscription ignored =
        bus.subscribe(EventBus.customerChannel(box.customerId()), m -> events.add(readJson(m)))) {
      jobs.handle(job(JobType.PROVISION, box));
      await(() -> events.size() >= 7, "all progress events");
    }
    assertThat(events.stream().map(e -> e.path("step").asText()))
        .containsExactly(
            "accepted", "token", "config", "resources", "scheduled", "starting", "live");
    for (JsonNode event : events) {
      assertThat(event.path("boxId").asText()).isEqualTo(box.id().toString());
      assertThat(event.path("job").asText()).isEqualTo("provision");
      assertThat(event.path("message").asText()).isNotBlank();
      assertThat(Instant.parse(event.path("at").asText())).isNotNull();
    }

    Box after = boxes.find(box.id()).orElseThrow();
    assertThat(after.observedState()).isEqualTo(BoxObservedState.RUNNING);
    assertThat(after.readyAt()).isNotNull();
    assertThat(after.lastError()).isNull();
    String ns = BoxResources.namespaceName(box.id(), kubernetes);
    assertThat(after.namespace()).isEqualTo(ns);
    assertThat(client.namespaces().withName(ns).get()).isNotNull();
    assertThat(deployment(ns)).isNotNull();
    assertThat(client.secrets().inNamespace(ns).withName(BoxResources.CONFIG).get()).isNotNull();
    assertThat(client.network().networkPolicies().inNamespace(ns).withName("gateway").get())
        .isNotNull();
    assertThat(client.persistentVolumeClaims().inNamespace(ns).withName("state").get()).isNotNull();

    String token = secretValue(ns, BoxResources.PROXY_TOKEN_KEY);
    assertThat(chat(token).statusCode()).isEqualTo(200);
    assertThat(secretValue(ns, BoxResources.BOT_TOKEN_KEY)).isEqualTo(box.botId() + ":secret");

    // Twice: the same end state, the same (and only) active token.
    String gatewayToken = secretValue(ns, BoxResources.GATEWAY_TOKEN_KEY);
    jobs.handle(job(JobType.PROVISION, box));
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);
    assertThat(secretValue(ns, BoxResources.PROXY_TOKEN_KEY)).isEqualTo(token);
    assertThat(secretValue(ns, BoxResources.GATEWAY_TOKEN_KEY)).isEqualTo(gatewayToken);
    assertThat(activeTokens(box)).isEqualTo(1);
    assertThat(chat(token).statusCode()).isEqualTo(200);
  }

  @Test
  void aTokenTheSecretNoLongerMatchesIsReplacedAndTheStaleOneRevoked() throws Exception {
    Box box = newBox();
    TokenProxyClient.IssuedToken orphan = proxy.issueToken(box.id()); // issued, never stored
    jobs.handle(job(JobType.PROVISION, box));
    String ns = BoxResources.namespaceName(box.id(), kubernetes);
    String token = secretValue(ns, BoxResources.PROXY_TOKEN_KEY);
    assertThat(token).isNotEqualTo(orphan.token());
    assertThat(activeTokens(box)).isEqualTo(1);
    assertThat(tokens.findByToken(orphan.token()).orElseThrow().status())
        .isEqualTo(ProxyTokenStatus.REVOKED);
    assertThat(chat(token).statusCode()).isEqualTo(200);
  }

  @Test
  void suspendStopsTheGatewayAndItsTokenAndReactivateBringsThemBack() throws Exception {
    Box box = newBox();
    jobs.handle(job(JobType.PROVISION, box));
    String ns = BoxResources.namespaceName(box.id(), kubernetes);
    String token = secretValue(ns, BoxResources.PROXY_TOKEN_KEY);

    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.SUSPENDED);
    jobs.handle(job(JobType.SUSPEND, box));
    jobs.handle(job(JobType.SUSPEND, box)); // twice is fine
    assertThat(deployment(ns).getSpec().getReplicas()).isZero();
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.SUSPENDED);
    await(() -> chat(token).statusCode() == 403, "the proxy refuses the suspended token");
    assertError(chat(token), 403, "token_suspended");

    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.RUNNING);
    jobs.handle(job(JobType.REACTIVATE, box));
    jobs.handle(job(JobType.REACTIVATE, box));
    assertThat(deployment(ns).getSpec().getReplicas()).isEqualTo(1);
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);
    await(() -> chat(token).statusCode() == 200, "the proxy takes the token again");
  }

  @Test
  void updateRewritesTheConfigAndRestartsTheGateway() throws Exception {
    Box box = newBox();
    jobs.handle(job(JobType.PROVISION, box));
    String ns = BoxResources.namespaceName(box.id(), kubernetes);
    String configBefore = secretValue(ns, BoxResources.CONFIG, BoxResources.CONFIG_KEY);
    Map<String, String> annotationsBefore = templateAnnotations(ns);

    boxes.updateSettings(
        database.execute(),
        box.id(),
        new BoxSettings(List.of(42L, 4242L), "kimi-k3", ThinkingLevel.HIGH));
    Thread.sleep(5); // a later restartedAt stamp
    jobs.handle(job(JobType.UPDATE, box));

    String configAfter = secretValue(ns, BoxResources.CONFIG, BoxResources.CONFIG_KEY);
    assertThat(configAfter).isNotEqualTo(configBefore).contains("4242").contains("kimi-k3");
    Map<String, String> annotationsAfter = templateAnnotations(ns);
    assertThat(annotationsAfter).isNotEqualTo(annotationsBefore);
    assertThat(annotationsAfter).containsKey(BoxResources.RESTARTED_AT_ANNOTATION);
    assertThat(annotationsAfter.get(BoxResources.CONFIG_HASH_ANNOTATION))
        .isNotEqualTo(annotationsBefore.get(BoxResources.CONFIG_HASH_ANNOTATION));
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);
    assertThat(chat(secretValue(ns, BoxResources.PROXY_TOKEN_KEY)).statusCode()).isEqualTo(200);
  }

  @Test
  void destroyRemovesEverythingRevokesTheTokenAndReportsItsDuration() throws Exception {
    Box box = newBox();
    jobs.handle(job(JobType.PROVISION, box));
    String ns = BoxResources.namespaceName(box.id(), kubernetes);
    String token = secretValue(ns, BoxResources.PROXY_TOKEN_KEY);

    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.DESTROYED);
    List<JsonNode> events = new CopyOnWriteArrayList<>();
    try (EventBus.Subscription ignored =
        bus.subscribe(EventBus.customerChannel(box.customerId()), m -> events.add(readJson(m)))) {
      jobs.handle(job(JobType.DESTROY, box));
      await(() -> events.size() >= 4, "the destroy events");
    }
    JsonNode last = events.getLast();
    assertThat(last.path("step").asText()).isEqualTo("destroyed");
    assertThat(last.path("durationMs").isNumber()).isTrue();

    assertThat(client.namespaces().withName(ns).get()).isNull();
    Box after = boxes.find(box.id()).orElseThrow();
    assertThat(after.observedState()).isEqualTo(BoxObservedState.DESTROYED);
    assertThat(after.destroyedAt()).isNotNull();
    await(() -> chat(token).statusCode() == 403, "the proxy refuses the revoked token");
    assertError(chat(token), 403, "token_revoked");

    jobs.handle(job(JobType.DESTROY, box)); // twice is fine
    assertThat(boxes.find(box.id()).orElseThrow().destroyedAt()).isEqualTo(after.destroyedAt());
    // A provision arriving late for a destroyed box does nothing: superseded.
    assertThatThrownBy(() -> jobs.handle(job(JobType.PROVISION, box)))
        .isInstanceOf(JobSupersededException.class)
        .hasMessageContaining("being deleted");
    assertThat(client.namespaces().withName(ns).get()).isNull();
  }

  /**
   * With a workspace store, the real jobs: the destroy archives the workspace (the test plays the
   * Job controller) before the namespace goes, and the customer's next box restores it first.
   */
  @Test
  void withAWorkspaceStoreTheDestroyArchivesAndTheCustomersNextBoxRestores() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorMetrics metrics = new OperatorMetrics(registry);
    cloud.openclaw.operator.workspaces.WorkspaceStore store =
        new cloud.openclaw.operator.workspaces.WorkspaceStore(
            URI.create("https://s3.example.test"),
            "eu-central-1",
            "openclaw-backups",
            "AKIDEXAMPLE",
            "secret-example",
            Duration.ofDays(7),
            Duration.ofSeconds(20),
            List.of());
    BoxJobs archiving =
        new BoxJobs(
            database,
            boxes,
            Runtimes.of(
                new KubernetesRuntime(
                    client, kubernetes, Clock.systemUTC(), java.util.Optional.of(store), metrics)),
            proxy,
            new Progress(bus, database, Clock.systemUTC()),
            Duration.ofSeconds(20),
            Clock.systemUTC(),
            null,
            metrics);
    Thread jobController = Kubelet.finishArchiveJobs(client, true);
    try {
      Box box = newBox();
      archiving.handle(job(JobType.PROVISION, box));
      String ns = BoxResources.namespaceName(box.id(), kubernetes);
      boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.DESTROYED);

      archiving.handle(job(JobType.DESTROY, box));

      assertThat(client.namespaces().withName(ns).get()).isNull();
      assertThat(boxes.find(box.id()).orElseThrow().observedState())
          .isEqualTo(BoxObservedState.DESTROYED);
      assertThat(
              registry
                  .get("openclaw_workspace_archives")
                  .tag("reason", "destroy")
                  .tag("outcome", "succeeded")
                  .counter()
                  .count())
          .isEqualTo(1);

      Box next =
          boxes.create(
              database.execute(), TestTokenProxy.newBox(box.customerId(), BoxRuntime.KUBERNETES));
      archiving.handle(job(JobType.PROVISION, next));
      String nextNs = BoxResources.namespaceName(next.id(), kubernetes);
      var pod =
          client
              .apps()
              .deployments()
              .inNamespace(nextNs)
              .withName(BoxResources.DEPLOYMENT)
              .get()
              .getSpec()
              .getTemplate()
              .getSpec();
      assertThat(pod.getInitContainers().getFirst().getName()).isEqualTo("restore-workspace");
      assertThat(secretValue(nextNs, BoxResources.CONFIG, "workspace-restore-url"))
          .startsWith(
              "https://s3.example.test/openclaw-backups/workspaces/"
                  + box.customerId()
                  + ".tar.gz?");
    } finally {
      jobController.interrupt();
    }
  }

  @Test
  void paidToLiveIsMeasuredFromThePaymentsProvisionJobToTheBoxRunning() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorMetrics metrics = new OperatorMetrics(registry);
    BoxJobs measured =
        new BoxJobs(
            database,
            boxes,
            Runtimes.of(new KubernetesRuntime(client, kubernetes)),
            proxy,
            new Progress(bus, database, Clock.systemUTC()),
            Duration.ofSeconds(20),
            Clock.systemUTC(),
            null,
            metrics);
    Box box = newBox();
    // The billing worker enqueued the provision in the payment's transaction, 40 s ago.
    Job paid = job(JobType.PROVISION, box, 1, Instant.now().minusSeconds(40));

    Instant before = Instant.now();
    measured.handle(paid);
    Duration handling = Duration.between(before, Instant.now());

    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);
    Timer paidToLive = registry.get("operator_paid_to_live").timer();
    assertThat(paidToLive.count()).isEqualTo(1);
    assertThat(paidToLive.totalTime(TimeUnit.MILLISECONDS))
        .isBetween(40_000.0, 40_000.0 + handling.toMillis() + 1_000);
    assertThat(
            registry
                .get("operator_job")
                .tags("type", "provision", "outcome", "succeeded")
                .timer()
                .count())
        .isEqualTo(1);

    // An update of a running box is no payment: nothing more is measured.
    measured.handle(job(JobType.UPDATE, box));
    assertThat(paidToLive.count()).isEqualTo(1);

    metrics.refresh(database, new JobStore(database, 5), boxes);
    assertThat(registry.get("operator_boxes").tag("state", "running").gauge().value())
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void aFailedAttemptIsCountedAgainstTheStepItReached() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BoxJobs unreachable =
        new BoxJobs(
            database,
            boxes,
            Runtimes.of(new KubernetesRuntime(client, kubernetes)),
            new TokenProxyClient(
                URI.create("http://127.0.0.1:" + TestServices.freePort()), INTERNAL_TOKEN),
            new Progress(bus, database, Clock.systemUTC()),
            Duration.ofSeconds(5),
            Clock.systemUTC(),
            null,
            new OperatorMetrics(registry));
    Box box = newBox();

    assertThatThrownBy(() -> unreachable.handle(job(JobType.PROVISION, box, 1)))
        .isInstanceOf(UnavailableException.class);

    // The token proxy was the first thing asked, right after "accepted".
    assertThat(
            registry
                .get("operator_job_failures")
                .tags("type", "provision", "step", "accepted")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("operator_job")
                .tags("type", "provision", "outcome", "failed")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(registry.get("operator_paid_to_live").timer().count()).isZero();
  }

  @Test
  void aFailureIsPublishedAndRecordedOnTheBox() throws Exception {
    Box box = newBox();
    BoxJobs unreachable =
        TestBoxJobs.of(
            database,
            boxes,
            Runtimes.of(new KubernetesRuntime(client, kubernetes)),
            new TokenProxyClient(
                URI.create("http://127.0.0.1:" + TestServices.freePort()), INTERNAL_TOKEN),
            new Progress(bus, database, Clock.systemUTC()),
            Duration.ofSeconds(5));
    List<JsonNode> events = new CopyOnWriteArrayList<>();
    try (EventBus.Subscription ignored =
        bus.subscribe(EventBus.customerChannel(box.customerId()), m -> events.add(readJson(m)))) {
      assertThatThrownBy(() -> unreachable.handle(job(JobType.PROVISION, box, 1)))
          .isInstanceOf(UnavailableException.class);
      await(() -> events.size() >= 2, "the failed event");
    }
    assertThat(events.getLast().path("step").asText()).isEqualTo("failed");
    assertThat(events.getLast().path("message").asText()).contains("try again");
    Box retrying = boxes.find(box.id()).orElseThrow();
    assertThat(retrying.lastError()).contains("temporarily unavailable");
    assertThat(retrying.observedState()).isNotEqualTo(BoxObservedState.FAILED);

    // The last attempt marks the box failed.
    assertThatThrownBy(() -> unreachable.handle(job(JobType.PROVISION, box, 5)))
        .isInstanceOf(UnavailableException.class);
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.FAILED);

    // A later successful run clears it.
    jobs.handle(job(JobType.PROVISION, box));
    Box recovered = boxes.find(box.id()).orElseThrow();
    assertThat(recovered.observedState()).isEqualTo(BoxObservedState.RUNNING);
    assertThat(recovered.lastError()).isNull();
  }

  @Test
  void theOperatorServiceRunsQueuedJobs() throws Exception {
    Box box = newBox();
    Map<String, String> overrides = OperatorServiceConfig.base(postgres, testRedis);
    overrides.put("operator.kubernetes.enabled", "true");
    overrides.put("operator.token-proxy.internal-url", proxyInternalUrl);
    overrides.put("operator.token-proxy.internal-token", INTERNAL_TOKEN);
    overrides.put("operator.ready-timeout", "PT20S");
    // The service checks the box's bot with Telegram before the box is running.
    sandbox.telegram().addBot(boxes.openBotToken(box), box.botUsername(), null);
    overrides.put("telegram.api-root", "http://127.0.0.1:" + sandbox.port() + "/telegram");
    JobQueue queue =
        new JobQueue(
            new JobStore(database, 8), new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
    Job job;
    try (RunningService operator =
        cloud.openclaw.operator.Main.start(
            ConfigLoader.load("operator", Map.of(), overrides),
            () -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build())) {
      assertThat(
              get("http://127.0.0.1:" + operator.internalPort() + "/observe/health").statusCode())
          .isEqualTo(200);
      job = queue.enqueue(new NewJob(JobType.PROVISION, box.id(), null, "it-" + box.id()));
      JobStore store = new JobStore(database, 8);
      await(
          () -> store.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED,
          "the queued provision to succeed");
    }
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);
    String ns = BoxResources.namespaceName(box.id(), kubernetes);
    assertThat(chat(secretValue(ns, BoxResources.PROXY_TOKEN_KEY)).statusCode()).isEqualTo(200);

    // The job row records its steps, with the attempt that made them.
    JsonNode steps = steps(job.id());
    assertThat(steps.findValuesAsText("step"))
        .containsExactly(
            "accepted",
            "token",
            "config",
            "resources",
            "scheduled",
            "starting",
            "ready",
            "bot",
            "live");
    for (JsonNode step : steps) {
      assertThat(step.path("attempt").asInt()).isEqualTo(1);
      assertThat(step.path("message").asText()).isNotBlank();
      assertThat(Instant.parse(step.path("at").asText())).isNotNull();
    }
  }

  /** operator_jobs.steps of the job. */
  static JsonNode steps(UUID jobId) {
    try (var rows =
        database
            .execute()
            .query("SELECT steps::text AS steps FROM operator_jobs WHERE id = ?", jobId)) {
      return readJson(
          cloud.openclaw.platform.db.Rows.string(rows.findFirst().orElseThrow(), "steps"));
    }
  }

  @Test
  void withKubernetesDisabledTheOperatorNeedsOnlyTheDatabaseAndRedis() throws Exception {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("db.url", postgres.jdbcUrl());
    overrides.put("db.user", postgres.user());
    overrides.put("db.password", postgres.password());
    overrides.put("redis.url", testRedis.url());
    overrides.put("redis.prefix", testRedis.prefix());
    overrides.put("operator.host", "127.0.0.1");
    overrides.put("operator.port", "0");
    try (RunningService operator =
        cloud.openclaw.operator.Main.start(ConfigLoader.load("operator", Map.of(), overrides))) {
      assertThat(
              get("http://127.0.0.1:" + operator.internalPort() + "/observe/health").statusCode())
          .isEqualTo(200);
    }
  }

  // --- helpers

  static HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static Box newBox() {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    Box box =
        boxes.create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.KUBERNETES));
    TestTokenProxy.openPeriod(proxy, customer, 1_000_000);
    return box;
  }

  static Job job(JobType type, Box box) {
    return job(type, box, 1);
  }

  static Job job(JobType type, Box box, int attempts) {
    return job(type, box, attempts, Instant.now());
  }

  static Job job(JobType type, Box box, int attempts, Instant created) {
    Instant now = Instant.now();
    return new Job(
        UUID.randomUUID(),
        type,
        box.id(),
        "{}",
        JobStatus.RUNNING,
        attempts,
        5,
        now,
        "test",
        now.plusSeconds(60),
        null,
        null,
        created,
        now,
        null,
        null);
  }

  static long activeTokens(Box box) {
    return tokens.listForBox(database.execute(), box.id()).stream()
        .filter(t -> t.status() == ProxyTokenStatus.ACTIVE)
        .count();
  }

  static Deployment deployment(String ns) {
    return client.apps().deployments().inNamespace(ns).withName(BoxResources.DEPLOYMENT).get();
  }

  static Map<String, String> templateAnnotations(String ns) {
    Map<String, String> annotations =
        deployment(ns).getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? Map.of() : new HashMap<>(annotations);
  }

  static String secretValue(String ns, String key) {
    return secretValue(ns, BoxResources.SECRETS, key);
  }

  static String secretValue(String ns, String name, String key) {
    Secret secret = client.secrets().inNamespace(ns).withName(name).get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  static HttpResponse<String> chat(String token) {
    String body =
        Json.write(
            Map.of(
                "model",
                "kimi-k2.6",
                "messages",
                List.of(Map.of("role", "user", "content", "hello")),
                "max_completion_tokens",
                16));
    try {
      return http.send(
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + proxyService.port() + "/v1/chat/completions"))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void assertError(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(readJson(response.body()).path("error").path("code").asText())
        .as(response.body())
        .isEqualTo(code);
  }

  static JsonNode readJson(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(10);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
