package cloud.openclaw.operator.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.kubernetes.Kubelet;
import cloud.openclaw.operator.kubernetes.KubernetesSettings;
import cloud.openclaw.operator.kubernetes.TestBoxes;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.ProxyTokenStatus;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.testkit.JavaProcess;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator as a process of its own against the fabric8 mock API server (CRUD mode), killed
 * (kill -9) while three provisions wait for their gateways, and started again: each job is taken
 * over once its lease runs out and finishes on its second attempt with the resources, secrets and
 * proxy token the first attempt made: no job lost, none run to a second effect.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorCrashIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final Duration START = Duration.ofSeconds(90);
  static final String LEASE = "PT5S";
  static final String RELAY_GRACE = "PT2S";

  static KubernetesClient client;
  static Database database;
  static Redis redis;
  static cloud.openclaw.sandbox.Main.Sandbox sandbox;
  static TestTokenProxy.Started proxy;
  static BoxStore boxes;
  static KubernetesSettings kubernetes;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    sandbox = TestServices.sandbox();
    proxy = TestTokenProxy.start(postgres, testRedis, sandbox.port());
    boxes =
        new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
    kubernetes = TestBoxes.kubernetes();
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(proxy, sandbox, redis, database);
  }

  @Test
  void provisionsCutByAKillFinishOnceWithWhatTheFirstAttemptMade() throws Exception {
    Map<String, String> environment = environment();
    JobQueue queue =
        new JobQueue(
            new JobStore(database, 8), new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
    JobStore store = new JobStore(database, 8);
    List<Box> provisioned = new ArrayList<>();
    List<Job> jobs = new ArrayList<>();
    Map<String, String> secretsBefore = new HashMap<>();
    try (JavaProcess operator = startOperator(environment, "operator-1.log")) {
      for (int i = 0; i < 3; i++) {
        Box box = newBox();
        provisioned.add(box);
        jobs.add(queue.enqueue(new NewJob(JobType.PROVISION, box.id(), null, "crash-" + box.id())));
      }
      // No kubelet yet: every gateway waits to become available, its job mid-provision.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> provisioned.stream().allMatch(box -> deploymentExists(namespace(box))));
      for (Box box : provisioned) {
        secretsBefore.put(box.id() + "/proxy", proxyToken(box));
        secretsBefore.put(box.id() + "/gateway", gatewayToken(box));
      }
      assertThat(jobs)
          .allMatch(job -> store.find(job.id()).orElseThrow().status() == JobStatus.RUNNING);
      operator.kill();
    }

    Thread kubelet = Kubelet.followAll(client);
    Instant restarted = Instant.now();
    try (JavaProcess operator = startOperator(environment, "operator-2.log")) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  jobs.stream()
                      .allMatch(
                          job ->
                              store.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED));
      Duration recovered = Duration.between(restarted, Instant.now());
      System.out.println("OperatorCrashIT: a killed job's steps: " + steps(jobs.getFirst()));
      ProxyTokenStore tokens = new ProxyTokenStore(database);
      for (int i = 0; i < provisioned.size(); i++) {
        Box box = provisioned.get(i);
        assertThat(boxes.find(box.id()).orElseThrow().observedState())
            .isEqualTo(BoxObservedState.RUNNING);
        assertThat(store.find(jobs.get(i).id()).orElseThrow().attempts()).isEqualTo(2);
        assertThat(
                database
                    .execute()
                    .get("SELECT count(*) FROM operator_jobs WHERE box_id = ?", box.id())
                    .orElseThrow()
                    .column(1)
                    .getLong())
            .as("one job per box")
            .isEqualTo(1);
        assertThat(
                tokens.listForBox(database.execute(), box.id()).stream()
                    .filter(t -> t.status() == ProxyTokenStatus.ACTIVE)
                    .count())
            .as("one active proxy token")
            .isEqualTo(1);
        assertThat(proxyToken(box)).isEqualTo(secretsBefore.get(box.id() + "/proxy"));
        assertThat(gatewayToken(box)).isEqualTo(secretsBefore.get(box.id() + "/gateway"));
        assertThat(client.apps().deployments().inNamespace(namespace(box)).list().getItems())
            .hasSize(1);
      }
      System.out.printf(
          "OperatorCrashIT: %d provisions killed mid-way; after the restart all running in %.1f s"
              + " (jobs.lease %s), each on its 2nd attempt with the same token and secrets%n",
          provisioned.size(), recovered.toMillis() / 1000.0, LEASE);
      operator.stop(Duration.ofSeconds(60));
    } finally {
      kubelet.interrupt();
    }
  }

  @Test
  void provisionsQueuedWhenRedisComesBackEmptyComeBackFromPostgres() throws Exception {
    Map<String, String> environment = environment();
    JobQueue queue =
        new JobQueue(
            new JobStore(database, 8), new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
    JobStore store = new JobStore(database, 8);
    List<Box> queued = new ArrayList<>();
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Box box = newBox();
      queued.add(box);
      jobs.add(queue.enqueue(new NewJob(JobType.PROVISION, box.id(), null, "empty-" + box.id())));
    }
    testRedis.wipe(); // to the operator, the same as a Redis restarted without its data

    Thread kubelet = Kubelet.followAll(client);
    Instant started = Instant.now();
    try (JavaProcess operator = startOperator(environment, "operator-empty.log")) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  jobs.stream()
                      .allMatch(
                          job ->
                              store.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED));
      System.out.printf(
          "OperatorCrashIT: %d provisions lost from Redis ran %.1f s after the operator's start"
              + " (jobs.relay-grace %s)%n",
          jobs.size(), Duration.between(started, Instant.now()).toMillis() / 1000.0, RELAY_GRACE);
      System.out.println("OperatorCrashIT: the first job's steps: " + steps(jobs.getFirst()));
      for (Box box : queued) {
        assertThat(boxes.find(box.id()).orElseThrow().observedState())
            .isEqualTo(BoxObservedState.RUNNING);
      }
      assertThat(jobs).allMatch(job -> store.find(job.id()).orElseThrow().attempts() == 1);
      operator.stop(Duration.ofSeconds(60));
    } finally {
      kubelet.interrupt();
    }
  }

  // --- the operator as a process ---------------------------------------------------------------

  private Map<String, String> environment() {
    Map<String, String> environment = new HashMap<>();
    environment.put("OPENCLAW_DB_URL", postgres.jdbcUrl());
    environment.put("OPENCLAW_DB_USER", postgres.user());
    environment.put("OPENCLAW_DB_PASSWORD", postgres.password() == null ? "" : postgres.password());
    environment.put("OPENCLAW_DB_POOL_SIZE", "4");
    environment.put("OPENCLAW_REDIS_URL", testRedis.url());
    environment.put("OPENCLAW_REDIS_PREFIX", testRedis.prefix());
    environment.put(
        "OPENCLAW_CRYPTO_KEYS", "k:" + Base64.getEncoder().encodeToString(new byte[32]));
    environment.put("OPENCLAW_CRYPTO_ACTIVE_KEY", "k");
    environment.put("OPENCLAW_JOBS_POLL_TIMEOUT", "PT0.2S");
    environment.put("OPENCLAW_JOBS_LEASE", LEASE);
    environment.put("OPENCLAW_JOBS_RELAY_GRACE", RELAY_GRACE);
    environment.put("OPENCLAW_OPERATOR_HOST", "127.0.0.1");
    environment.put("OPENCLAW_OPERATOR_PORT", Integer.toString(TestServices.freePort()));
    environment.put("OPENCLAW_OPERATOR_KUBERNETES_ENABLED", "true");
    environment.put("OPENCLAW_OPERATOR_READY_TIMEOUT", "PT60S");
    environment.put("OPENCLAW_OPERATOR_TOKEN_PROXY_INTERNAL_URL", proxy.internalUrl());
    environment.put("OPENCLAW_OPERATOR_TOKEN_PROXY_INTERNAL_TOKEN", TestTokenProxy.INTERNAL_TOKEN);
    environment.put(
        "OPENCLAW_TELEGRAM_API_ROOT", "http://127.0.0.1:" + sandbox.port() + "/telegram");
    // fabric8's client in the operator finds the mock API server from these.
    environment.put("KUBERNETES_MASTER", client.getConfiguration().getMasterUrl());
    environment.put("KUBERNETES_TRUST_CERTIFICATES", "true");
    environment.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    environment.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    environment.put("KUBERNETES_NAMESPACE", "default");
    return environment;
  }

  private JavaProcess startOperator(Map<String, String> environment, String log) {
    return JavaProcess.start(
            cloud.openclaw.operator.Main.class.getName(), dir, environment, dir.resolve(log))
        .awaitAnswering(
            "http://127.0.0.1:" + environment.get("OPENCLAW_OPERATOR_PORT") + "/observe/health",
            START);
  }

  /** The job's steps as recorded, for the report: where the time went. */
  private static String steps(Job job) {
    return database
        .execute()
        .get("SELECT steps::text FROM operator_jobs WHERE id = ?", job.id())
        .orElseThrow()
        .column(1)
        .getString();
  }

  // --- boxes and their resources ------------------------------------------------------------

  private static Box newBox() {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    Box box =
        boxes.create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.KUBERNETES));
    TestTokenProxy.openPeriod(proxy.client(), customer, 1_000_000);
    // The operator checks the box's bot with Telegram before it calls the box running.
    sandbox.telegram().addBot(boxes.openBotToken(box), box.botUsername(), null);
    return box;
  }

  private static String namespace(Box box) {
    return BoxResources.namespaceName(box.id(), kubernetes);
  }

  private static boolean deploymentExists(String namespace) {
    return !client.apps().deployments().inNamespace(namespace).list().getItems().isEmpty();
  }

  private static String proxyToken(Box box) {
    return secretValue(namespace(box), BoxResources.PROXY_TOKEN_KEY);
  }

  private static String gatewayToken(Box box) {
    return secretValue(namespace(box), BoxResources.GATEWAY_TOKEN_KEY);
  }

  private static String secretValue(String namespace, String key) {
    Secret secret = client.secrets().inNamespace(namespace).withName(BoxResources.SECRETS).get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
