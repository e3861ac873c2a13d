package cloud.openclaw.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.testkit.JavaProcess;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * The operator with the local runtime as a process of its own, killed (kill -9) while a provision
 * waits for its gateway to start (a {@link FakeGateway} held at /startupz), and started again: the
 * gateway outlives the kill, the job is taken over after its lease and finishes once, and one
 * gateway serves the box.
 */
class LocalOperatorCrashIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final Duration START = Duration.ofSeconds(90);

  @TempDir static Path tmp;
  static Database database;
  static Redis redis;
  static cloud.openclaw.sandbox.Main.Sandbox sandbox;
  static TestTokenProxy.Started proxy;
  static BoxStore boxes;

  @BeforeAll
  static void start() throws Exception {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    sandbox = TestServices.sandbox();
    proxy = TestTokenProxy.start(postgres, testRedis, sandbox.port());
    boxes =
        new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
    FakeNpm.serving(tmp.resolve("npm")).install(tmp.resolve("cache")).ensureInstalled();
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(proxy, sandbox, redis, database);
  }

  @Test
  void aProvisionCutByAKillFinishesOnceWithOneGateway() throws Exception {
    Map<String, String> environment = environment();
    Path data = Path.of(environment.get("OPENCLAW_OPERATOR_LOCAL_DATA_DIR"));
    Box box = newBox();
    Path boxDir = data.resolve("boxes").resolve(box.id().toString());
    Files.createDirectories(boxDir);
    Files.writeString(boxDir.resolve(FakeGateway.HOLD), "");
    JobStore store = new JobStore(database, 8);
    Job job;
    long gateway;
    try (JavaProcess operator = startOperator(environment, "operator-1.log")) {
      job =
          new JobQueue(store, new JobStream(redis, cloud.openclaw.operator.Main.QUEUE))
              .enqueue(new NewJob(JobType.PROVISION, box.id(), null, "local-crash-" + box.id()));
      await().atMost(Duration.ofSeconds(60)).until(() -> gatewayPid(boxDir) > 0);
      gateway = gatewayPid(boxDir);
      assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
      operator.kill();
    }
    assertThat(JobRows.alive(gateway)).as("the gateway outlives the operator").isTrue();

    Files.delete(boxDir.resolve(FakeGateway.HOLD));
    Instant restarted = Instant.now();
    try (JavaProcess operator = startOperator(environment, "operator-2.log")) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> store.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED);
      Duration recovered = Duration.between(restarted, Instant.now());
      assertThat(store.find(job.id()).orElseThrow().attempts()).isEqualTo(2);
      assertThat(boxes.find(box.id()).orElseThrow().observedState())
          .isEqualTo(BoxObservedState.RUNNING);
      List<Long> live = launched(boxDir).stream().filter(JobRows::alive).toList();
      assertThat(live).as("one gateway serves the box").hasSize(1);
      System.out.printf(
          "LocalOperatorCrashIT: provision killed mid-start; after the restart running in %.1f s"
              + " (jobs.lease %s); gateway launches %d, alive %d (%s)%n",
          recovered.toMillis() / 1000.0,
          environment.get("OPENCLAW_JOBS_LEASE"),
          launched(boxDir).size(),
          live.size(),
          live.getFirst() == gateway ? "the first one, adopted" : "a new one, the first stopped");
      operator.stop(Duration.ofSeconds(60));
    }
    assertThat(JobRows.alive(gateway)).as("a clean stop stops the gateways").isFalse();
  }

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
    environment.put("OPENCLAW_JOBS_LEASE", "PT5S");
    environment.put("OPENCLAW_JOBS_RELAY_GRACE", "PT2S");
    environment.put("OPENCLAW_OPERATOR_HOST", "127.0.0.1");
    environment.put("OPENCLAW_OPERATOR_PORT", Integer.toString(TestServices.freePort()));
    environment.put("OPENCLAW_OPERATOR_READY_TIMEOUT", "PT60S");
    environment.put("OPENCLAW_OPERATOR_LOCAL_ENABLED", "true");
    environment.put("OPENCLAW_OPERATOR_LOCAL_DATA_DIR", tmp.resolve("data").toString());
    environment.put("OPENCLAW_OPERATOR_LOCAL_CACHE_DIR", tmp.resolve("cache").toString());
    environment.put("OPENCLAW_OPERATOR_LOCAL_PORT_RANGE", "0");
    environment.put("OPENCLAW_OPERATOR_LOCAL_TOKEN_PROXY_BASE_URL", "http://127.0.0.1:9/v1");
    environment.put("OPENCLAW_OPERATOR_TOKEN_PROXY_INTERNAL_URL", proxy.internalUrl());
    environment.put("OPENCLAW_OPERATOR_TOKEN_PROXY_INTERNAL_TOKEN", TestTokenProxy.INTERNAL_TOKEN);
    environment.put(
        "OPENCLAW_TELEGRAM_API_ROOT", "http://127.0.0.1:" + sandbox.port() + "/telegram");
    return environment;
  }

  private JavaProcess startOperator(Map<String, String> environment, String log) {
    return JavaProcess.start(
            cloud.openclaw.operator.Main.class.getName(), tmp, environment, tmp.resolve(log))
        .awaitAnswering(
            "http://127.0.0.1:" + environment.get("OPENCLAW_OPERATOR_PORT") + "/observe/health",
            START);
  }

  private static Box newBox() {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    Box box = boxes.create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.LOCAL));
    TestTokenProxy.openPeriod(proxy.client(), customer, 1_000_000);
    sandbox.telegram().addBot(boxes.openBotToken(box), box.botUsername(), null);
    return box;
  }

  private static long gatewayPid(Path boxDir) {
    try {
      return Long.parseLong(Files.readString(boxDir.resolve("gateway.pid")).strip());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** The pids of every gateway the box's script started, the first first. */
  private static List<Long> launched(Path boxDir) throws IOException {
    Path launches = boxDir.resolve("launches");
    if (!Files.exists(launches)) {
      return List.of();
    }
    return Files.readAllLines(launches).stream()
        .filter(line -> !line.isBlank())
        .map(line -> Long.parseLong(line.strip()))
        .toList();
  }
}
