package cloud.openclaw.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.operator.bots.BotCheck;
import cloud.openclaw.operator.bots.BotWatcher;
import cloud.openclaw.operator.jobs.BoxJobs;
import cloud.openclaw.operator.jobs.Progress;
import cloud.openclaw.operator.jobs.TestBoxJobs;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.dbclient.DbRow;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A box whose bot Telegram refuses is never running: provision checks the bot before "live", and
 * the watcher sees a token revoked later (and one that works again). Real PostgreSQL, Redis, token
 * proxy and child processes ({@link FakeGateway}); the bots are the sandbox's Telegram's.
 */
class BotCheckIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  @TempDir static Path tmp;

  static Database database;
  static Redis redis;
  static cloud.openclaw.sandbox.Main.Sandbox sandbox;
  static RunningService proxyService;
  static TokenProxyClient proxy;
  static BoxStore boxes;
  static LocalRuntime processes;
  static EventBus bus;
  static Progress progress;
  static BotCheck check;
  static BoxJobs jobs;
  static BotWatcher watcher;

  @BeforeAll
  static void start() throws Exception {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    sandbox = TestServices.sandbox();
    TestTokenProxy.Started started = TestTokenProxy.start(postgres, testRedis, sandbox.port());
    proxyService = started.service();
    proxy = started.client();
    boxes =
        new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
    processes =
        new LocalRuntime(
            tmp.resolve("data"), FakeNpm.serving(tmp.resolve("npm")).install(tmp.resolve("cache")));
    bus = new EventBus(redis);
    progress = new Progress(bus, database, Clock.systemUTC());
    check = check("http://127.0.0.1:" + sandbox.port() + "/telegram");
    jobs = jobs(check);
    JobStore store = new JobStore(database, 5);
    watcher =
        new BotWatcher(
            boxes,
            database,
            check,
            new JobQueue(store, new JobStream(redis, "bot-check-it")),
            progress);
  }

  static BotCheck check(String telegramRoot) {
    return new BotCheck(new TelegramBots(URI.create(telegramRoot)), boxes, database, progress);
  }

  static BoxJobs jobs(BotCheck bots) {
    return TestBoxJobs.of(
        database,
        boxes,
        Runtimes.of(
            new LocalGatewayRuntime(
                processes,
                "http://127.0.0.1:" + proxyService.port() + "/v1",
                java.util.Optional.of("http://127.0.0.1:" + sandbox.port() + "/telegram"))),
        proxy,
        progress,
        Duration.ofSeconds(30),
        bots);
  }

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
  void provisionIsLiveOnlyAfterTheBotAnswered() throws Exception {
    Box box = newBox(sandbox.telegram().createBot(null));
    Job job = JobRows.enqueued(database, JobType.PROVISION, box);
    jobs.handle(job);

    Box after = boxes.find(box.id()).orElseThrow();
    assertThat(after.observedState()).isEqualTo(BoxObservedState.RUNNING);
    assertThat(after.readyAt()).isNotNull();
    assertThat(JobRows.steps(database, job.id()))
        .containsSubsequence("scheduled", "ready", "bot", "live")
        .endsWith("bot", "live");
  }

  @Test
  void aBoxWhoseTokenTelegramRefusesIsBotRefusedNotRunningAndNotLive() throws Exception {
    Bot bot = sandbox.telegram().createBot(null);
    sandbox.telegram().revoke(bot.id(), true);
    Box box = newBox(bot);
    Job job = JobRows.enqueued(database, JobType.PROVISION, box);
    jobs.handle(job); // no retry can help: the job ends, the box says why

    Box after = boxes.find(box.id()).orElseThrow();
    assertThat(after.observedState()).isEqualTo(BoxObservedState.BOT_REFUSED);
    assertThat(after.lastError()).isEqualTo("Telegram refused your bot token: send a new one.");
    assertThat(after.readyAt()).as("no 'agent live' mail").isNull();
    assertThat(JobRows.steps(database, job.id()))
        .endsWith("ready", "bot_refused")
        .doesNotContain("live");
    assertThat(processes.isStarted(box.id())).as("the gateway itself runs").isTrue();
  }

  @Test
  void theWatcherSeesATokenRevokedWhileRunningAndRestartsTheBoxOnceItWorksAgain() throws Exception {
    Bot bot = sandbox.telegram().createBot(null);
    Box box = newBox(bot);
    jobs.handle(JobRows.enqueued(database, JobType.PROVISION, box));
    assertThat(watcher.runOnce().refused()).isZero();
    int launches = launches(box);

    List<JsonNode> events = new CopyOnWriteArrayList<>();
    try (EventBus.Subscription ignored =
        bus.subscribe(EventBus.customerChannel(box.customerId()), m -> events.add(read(m)))) {
      sandbox.telegram().revoke(bot.id(), true);
      assertThat(watcher.runOnce().refused()).isEqualTo(1);
      Box refused = boxes.find(box.id()).orElseThrow();
      assertThat(refused.observedState()).isEqualTo(BoxObservedState.BOT_REFUSED);
      assertThat(refused.lastError()).isEqualTo(BotCheck.REFUSED);
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> events.stream().anyMatch(e -> e.path("step").asText().equals("bot_refused")));
      assertThat(watcher.runOnce().refused()).as("told once").isZero();

      sandbox.telegram().revoke(bot.id(), false);
      assertThat(watcher.runOnce().restored()).isEqualTo(1);
      assertThat(boxes.find(box.id()).orElseThrow().observedState())
          .isEqualTo(BoxObservedState.PROVISIONING);
      assertThat(watcher.runOnce().restored()).as("one job").isZero();
    }

    List<Job> updates = jobsOf(box, JobType.UPDATE);
    assertThat(updates).hasSize(1);
    jobs.handle(updates.getFirst());
    Box back = boxes.find(box.id()).orElseThrow();
    assertThat(back.observedState()).isEqualTo(BoxObservedState.RUNNING);
    assertThat(back.lastError()).isNull();
    assertThat(launches(box)).as("the gateway restarted").isGreaterThan(launches);
    assertThat(JobRows.steps(database, updates.getFirst().id()))
        .endsWith("ready", "bot", "updated");
  }

  @Test
  void telegramUnreachableChangesNothingAndAProvisionTriesAgain() throws Exception {
    Box box = newBox(sandbox.telegram().createBot(null));
    jobs.handle(JobRows.enqueued(database, JobType.PROVISION, box));
    BotCheck unreachable = check("http://127.0.0.1:" + TestServices.freePort() + "/telegram");
    BotWatcher blind =
        new BotWatcher(
            boxes,
            database,
            unreachable,
            new JobQueue(new JobStore(database, 5), new JobStream(redis, "bot-check-it")),
            progress);

    BotWatcher.Report report = blind.runOnce();
    assertThat(report.unreachable()).isGreaterThanOrEqualTo(1);
    assertThat(report.refused()).isZero();
    assertThat(boxes.find(box.id()).orElseThrow().observedState())
        .isEqualTo(BoxObservedState.RUNNING);

    Box fresh = newBox(sandbox.telegram().createBot(null));
    assertThatThrownBy(
            () -> jobs(unreachable).handle(JobRows.enqueued(database, JobType.PROVISION, fresh)))
        .isInstanceOf(UnavailableException.class);
    assertThat(boxes.find(fresh.id()).orElseThrow().readyAt()).isNull();
  }

  // --- helpers -------------------------------------------------------------------------------

  static Box newBox(Bot bot) {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    Box box =
        boxes.create(
            database.execute(),
            TestTokenProxy.newBox(
                customer, BoxRuntime.LOCAL, bot.id(), bot.username(), bot.token()));
    TestTokenProxy.openPeriod(proxy, customer, 1_000_000);
    return box;
  }

  static List<Job> jobsOf(Box box, JobType type) {
    JobStore store = new JobStore(database, 5);
    try (Stream<DbRow> rows =
        database
            .execute()
            .query(
                "SELECT id FROM operator_jobs WHERE box_id = ? AND type = ? ORDER BY created_at",
                box.id(),
                type.dbValue())) {
      return rows.map(row -> store.find(Rows.uuid(row, "id")).orElseThrow()).toList();
    }
  }

  static int launches(Box box) throws java.io.IOException {
    return Files.readAllLines(processes.boxDir(box.id()).resolve("launches")).size();
  }

  static JsonNode read(String message) {
    try {
      return Json.MAPPER.readTree(message);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
