package cloud.openclaw.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.jobs.BoxJobs;
import cloud.openclaw.operator.jobs.Progress;
import cloud.openclaw.operator.jobs.TestBoxJobs;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.ProxyTokenStatus;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.User;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every job type on the local runtime with the real OpenClaw gateway, the sandbox's Telegram and
 * Kimi stand-ins and the real token proxy: provision → suspend → reactivate → update → destroy, the
 * bot answering (or not) at each stage. Three gateway starts: about a minute on 2 cores once Node
 * and OpenClaw are installed in {@code OPENCLAW_LOCAL_CACHE_DIR} (default ~/.cache/openclaw-cloud).
 * Skipped with {@code OPENCLAW_SKIP_LOCAL_IT=true}, like LocalRuntimeIT.
 */
@DisabledIfEnvironmentVariable(named = "OPENCLAW_SKIP_LOCAL_IT", matches = "true|1|yes")
class LocalJobsE2E {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final long ADA = 4242;
  static final long GRACE = 4343;
  static final Duration START = Duration.ofSeconds(150);

  @TempDir static Path dataDir;

  static Database database;
  static Redis redis;
  static cloud.openclaw.sandbox.Main.Sandbox sandbox;
  static RunningService proxyService;
  static TokenProxyClient proxy;
  static BoxStore boxes;
  static LocalRuntime processes;
  static BoxJobs jobs;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    sandbox = TestServices.sandbox();
    TestTokenProxy.Started started = TestTokenProxy.start(postgres, testRedis, sandbox.port());
    proxyService = started.service();
    proxy = started.client();
    boxes =
        new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
    processes = new LocalRuntime(dataDir, RealOpenClaw.install());
    jobs =
        TestBoxJobs.of(
            database,
            boxes,
            Runtimes.of(
                new LocalGatewayRuntime(
                    processes,
                    "http://127.0.0.1:" + proxyService.port() + "/v1",
                    Optional.of("http://127.0.0.1:" + sandbox.port() + "/telegram"))),
            proxy,
            new Progress(new EventBus(redis), database, Clock.systemUTC()),
            START);
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(processes, proxyService, sandbox, redis, database);
  }

  @Test
  void everyJobTypeWithTheRealGateway() throws Exception {
    Bot bot = sandbox.telegram().createBot(null);
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    Box box =
        boxes.create(
            database.execute(),
            new NewBox(
                customer,
                bot.id(),
                bot.username(),
                bot.token(),
                List.of(ADA),
                "kimi-k2.6",
                ThinkingLevel.OFF,
                BoxRuntime.LOCAL));
    TestTokenProxy.openPeriod(proxy, customer, 10_000_000);

    // provision: the allowed user gets the model's answer.
    Job provision = run(JobType.PROVISION, box);
    assertThat(JobRows.steps(database, provision.id()))
        .containsExactly(
            "accepted", "token", "config", "resources", "scheduled", "starting", "live");
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);
    assertAnswers(bot, ADA, "hello");
    String token = Files.readString(processes.boxDir(box.id()).resolve("proxy-token"));

    // suspend: no gateway, the token refused; messages wait in Telegram.
    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.SUSPENDED);
    long pid = processes.pid(box.id()).orElseThrow();
    run(JobType.SUSPEND, box);
    assertThat(JobRows.alive(pid)).isFalse();
    assertThat(tokenStatus(token)).isEqualTo(ProxyTokenStatus.SUSPENDED);
    long polls = sandbox.telegram().stats(bot.id()).polls();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> sandbox.telegram().stats(bot.id()).polls() == polls);

    // reactivate: the same token works again and the bot answers.
    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.RUNNING);
    run(JobType.REACTIVATE, box);
    assertThat(tokenStatus(token)).isEqualTo(ProxyTokenStatus.ACTIVE);
    assertAnswers(bot, ADA, "back again");

    // update: Grace is allowed now, Ada no longer.
    boxes.updateSettings(
        database.execute(),
        box.id(),
        new BoxSettings(List.of(GRACE), "kimi-k2.6", ThinkingLevel.OFF));
    run(JobType.UPDATE, box);
    assertAnswers(bot, GRACE, "hi, I am new");
    int adaBefore = sandbox.telegram().botMessages(bot.id(), ADA).size();
    sandbox.telegram().sendAsUser(bot.id(), User.of(ADA, "Ada"), "still there?");
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(8))
        .until(() -> sandbox.telegram().botMessages(bot.id(), ADA).size() == adaBefore);

    // destroy: nothing left.
    long last = processes.pid(box.id()).orElseThrow();
    boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.DESTROYED);
    run(JobType.DESTROY, box);
    assertThat(JobRows.alive(last)).isFalse();
    assertThat(processes.boxDir(box.id())).doesNotExist();
    assertThat(tokenStatus(token)).isEqualTo(ProxyTokenStatus.REVOKED);
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.DESTROYED);
  }

  private static Job run(JobType type, Box box) throws Exception {
    Job job = JobRows.enqueued(database, type, box);
    jobs.handle(job);
    return job;
  }

  private static void assertAnswers(Bot bot, long user, String text) {
    int before = sandbox.telegram().botMessages(bot.id(), user).size();
    sandbox.telegram().sendAsUser(bot.id(), User.of(user, "user" + user), text);
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> sandbox.telegram().botMessages(bot.id(), user).size() > before);
    // The Kimi stand-in echoes the person's text (OpenClaw trims the "echo: " prefix and its own
    // framing from what it sends on), so the answer to this very message carries it.
    assertThat(sandbox.telegram().botMessages(bot.id(), user).getLast().text()).contains(text);
  }

  private static ProxyTokenStatus tokenStatus(String token) {
    return new ProxyTokenStore(database).findByToken(token).orElseThrow().status();
  }
}
