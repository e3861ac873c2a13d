package cloud.openclaw.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.gateway.GatewayModel;
import cloud.openclaw.operator.gateway.WorkspaceFiles;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.ChatEntry;
import cloud.openclaw.sandbox.telegram.User;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real OpenClaw gateway as a child process, against the sandbox's Telegram and Kimi stand-ins
 * and a real token proxy (real PostgreSQL and Redis). Node and OpenClaw are installed from npm into
 * {@code OPENCLAW_LOCAL_CACHE_DIR} (default {@code ~/.cache/openclaw-cloud}) on the first run and
 * reused after. Set {@code OPENCLAW_SKIP_LOCAL_IT=true} to skip it on a machine without npm.
 */
@DisabledIfEnvironmentVariable(named = "OPENCLAW_SKIP_LOCAL_IT", matches = "true|1|yes")
class LocalRuntimeIT {
  private static final Logger LOG = Logger.getLogger(LocalRuntimeIT.class.getName());
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final String INTERNAL_TOKEN = TestTokenProxy.INTERNAL_TOKEN;
  static final long ALLOWED_USER = 4242;
  static final long STRANGER = 222;
  static final String USE_CASE = "Answer questions about my bakery's opening hours.";

  @TempDir static Path dataDir;

  static Database database;
  static cloud.openclaw.sandbox.Main.Sandbox sandbox;
  static RunningService proxyService;
  static TokenProxyClient proxy;
  static LocalRuntime runtime;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    sandbox = TestServices.sandbox();
    TestTokenProxy.Started started = TestTokenProxy.start(postgres, testRedis, sandbox.port());
    proxyService = started.service();
    proxy = started.client();

    runtime = new LocalRuntime(dataDir, RealOpenClaw.install());
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(runtime, proxyService, sandbox, database);
  }

  @Test
  void anAllowedUserGetsTheModelsAnswerAStrangerNothingAndUsageIsRecorded() throws Exception {
    Bot bot = sandbox.telegram().createBot(null);
    Box box = newBox(bot);
    TokenProxyClient.IssuedToken token = proxy.issueToken(box.id());
    LocalBox spec =
        new LocalBox(
            box.id(),
            bot.token(),
            List.of(ALLOWED_USER),
            GatewayModel.kimi("kimi-k2.6"),
            ThinkingLevel.OFF,
            "http://127.0.0.1:" + proxyService.port() + "/v1",
            token.token(),
            Optional.of("http://127.0.0.1:" + sandbox.port() + "/telegram"),
            Optional.empty(),
            WorkspaceFiles.section(box));

    long t0 = System.nanoTime();
    runtime.start(spec);
    long t1 = System.nanoTime();
    boolean started = runtime.awaitStarted(box.id(), Duration.ofSeconds(150));
    long t2 = System.nanoTime();
    LOG.info(() -> "install+launch " + ms(t1 - t0) + " ms, cold start " + ms(t2 - t1) + " ms");
    assertThat(started).as("gateway started; see %s", runtime.logFile(box.id())).isTrue();
    assertThat(runtime.isRunning(box.id())).isTrue();
    long pid = runtime.pid(box.id()).orElseThrow();

    Path dir = runtime.boxDir(box.id());
    for (String sub : List.of("state", "home", "tmp", "workspace")) {
      assertThat(dir.resolve(sub)).isDirectory();
    }
    assertThat(Files.readString(dir.resolve("bot-token"))).isEqualTo(bot.token());
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("bot-token"))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(dir.resolve("openclaw.json"))).contains("\"bind\" : \"loopback\"");
    String userMd = WorkspaceFiles.merge(null, WorkspaceFiles.section(box)).orElseThrow();
    assertThat(Files.readString(dir.resolve("workspace/USER.md")))
        .isEqualTo(userMd)
        .contains("  > " + USE_CASE);

    // Starting it again with the same config changes nothing.
    runtime.start(spec);
    assertThat(runtime.pid(box.id())).hasValue(pid);

    // The gateway polls Telegram only once started: wait for its first getUpdates.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> sandbox.telegram().stats(bot.id()).polls() > 0);

    long t3 = System.nanoTime();
    sandbox.telegram().sendAsUser(bot.id(), User.of(ALLOWED_USER, "Ada"), "hello");
    sandbox.telegram().sendAsUser(bot.id(), User.of(STRANGER, "Mallory"), "hello from a stranger");
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> !sandbox.telegram().botMessages(bot.id(), ALLOWED_USER).isEmpty());
    long t4 = System.nanoTime();
    LOG.info(() -> "first reply " + ms(t4 - t3) + " ms");
    List<ChatEntry> replies = sandbox.telegram().botMessages(bot.id(), ALLOWED_USER);
    // The Kimi stand-in echoes the person's message as OpenClaw framed it (OpenClaw trims the
    // "echo: " prefix from what it sends on): the model's answer to this very message came back.
    assertThat(replies).anySatisfy(m -> assertThat(m.text()).startsWith("hello"));
    assertThat(replies).noneMatch(m -> m.text().contains("stranger"));
    // Answering, OpenClaw seeded the workspace's other files around ours and kept our USER.md.
    assertThat(dir.resolve("workspace/AGENTS.md")).isRegularFile();
    assertThat(Files.readString(dir.resolve("workspace/USER.md"))).isEqualTo(userMd);

    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> sandbox.telegram().botMessages(bot.id(), STRANGER).isEmpty());

    UsageStore usage = new UsageStore(database);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                usage.recentEvents(database.execute(), box.customerId(), 10).stream()
                    .anyMatch(e -> e.boxId().equals(box.id()) && e.totalTokens() > 0));
    List<UsageEvent> events = usage.recentEvents(database.execute(), box.customerId(), 10);
    assertThat(events).allSatisfy(e -> assertThat(e.boxId()).isEqualTo(box.id()));
    assertThat(events).anySatisfy(e -> assertThat(e.model()).isEqualTo("kimi-k2.6"));

    List<Path> locks = runtime.lockFiles(box.id());
    LOG.info(() -> "lock files outside the box dir: " + locks);
    runtime.destroy(box.id());
    assertThat(runtime.isRunning(box.id())).isFalse();
    assertThat(locks).allSatisfy(lock -> assertThat(lock).doesNotExist());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(dir).doesNotExist();
    runtime.destroy(box.id());
    runtime.stop(box.id());
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  private static Box newBox(Bot bot) {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    SecretBox secrets = new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32])));
    Box box =
        new BoxStore(database, secrets)
            .create(
                database.execute(),
                new NewBox(
                    customer,
                    bot.id(),
                    bot.username(),
                    bot.token(),
                    List.of(ALLOWED_USER),
                    "kimi-k2.6",
                    ThinkingLevel.OFF,
                    BoxRuntime.LOCAL,
                    USE_CASE));
    TestTokenProxy.openPeriod(proxy, customer, 10_000_000);
    return box;
  }
}
