package cloud.openclaw.launcher;

import static cloud.openclaw.launcher.DevClient.get;
import static cloud.openclaw.launcher.DevClient.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.local.LocalSettings;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.testkit.JavaProcess;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev mode survives a restart: {@code ./openclaw-cloud dev} (its {@link Main}, in a JVM of its own)
 * on this test's PostgreSQL and Redis and free ports, with the real OpenClaw gateway. A person
 * signs up, pays and gets an answer; dev mode is stopped as Ctrl-C stops it, started again on the
 * same data directory, killed (kill -9) and started again, and each time the same bot answers the
 * same person with nobody doing anything. Then the bot's token is revoked in the sandbox's
 * Telegram: the box leaves "running" within a minute, says why, and comes back when the token works
 * again. The console says one line per service and per step of the box, and nothing of Maven,
 * Flyway or Hikari.
 *
 * <p>Skipped with {@code OPENCLAW_SKIP_LOCAL_IT=true}, like the other tests of the real gateway.
 */
@DisabledIfEnvironmentVariable(named = "OPENCLAW_SKIP_LOCAL_IT", matches = "true|1|yes")
class DevRestartE2E {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  static final long ADA = 5151;
  static final String EMAIL = "ada@example.com";

  /** Dev mode's start: JVM, services, health (generous: other builds share the machine). */
  static final Duration START = Duration.ofMinutes(3);

  /** A new gateway's start to its answer (the first answer indexes its workspace once). */
  static final Duration ANSWER = Duration.ofMinutes(3);

  /** What the issue asks: a revoked token takes the box out of "running" within a minute. */
  static final Duration REFUSED_BOUND = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final Map<String, String> timings = new LinkedHashMap<>();

  @Test
  void theSameBotAnswersTheSamePersonAfterEveryKindOfRestart() throws Exception {
    Map<String, String> environment = environment();
    // Node and OpenClaw first, as the operator would install them (minutes, once).
    LocalSettings.from(
            new Settings(
                ConfigLoader.load(
                    "operator", environment, Map.of("operator.local.enabled", "true"))))
        .install()
        .ensureInstalled();
    String sandbox = "http://127.0.0.1:" + environment.get("OPENCLAW_SANDBOX_PORT");
    String api = "http://127.0.0.1:" + environment.get("OPENCLAW_API_PORT");
    Instant began = Instant.now();
    JavaProcess dev = null;
    try (Connection db =
        DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password())) {
      DevClient client = new DevClient(sandbox, api, db);

      // 1. dev mode; a person signs up, pays, and their agent answers them
      dev = start(environment, 1);
      JsonNode bot = client.newBot();
      long botId = bot.path("id").asLong();
      JsonNode signup = client.signUp(EMAIL, bot.path("token").asText(), List.of(ADA));
      UUID box = UUID.fromString(signup.path("boxId").asText());
      Instant paid = client.payOnHostedCheckout(signup.path("checkoutUrl").asText());
      awaitRunning(client, box);
      timing("paid → box running", paid, Instant.now());
      client.askAndAwaitAnswer(botId, ADA, "hello before any restart", ANSWER);
      timing("paid → first answer", paid, Instant.now());
      String session = client.signIn(EMAIL);
      assertThat(get(api + "/me/box", session).path("status").asText()).isEqualTo("running");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.mailSubjects().contains("Your agent is live"));
      assertConsole(dev.output(), box, 1);
      List<String> chatBefore = client.botMessages(botId, ADA);
      List<String> mailBefore = client.mailSubjects();

      // 2. a clean stop (what Ctrl-C does): everything ends, the gateway included
      long gateway = gatewayPid(box);
      Duration stopped = dev.stop(Duration.ofSeconds(60));
      timings.put("clean stop (SIGTERM → exit)", seconds(stopped));
      assertThat(dev.output()).contains("openclaw-cloud dev: stopped");
      assertThat(ProcessHandle.of(gateway).map(ProcessHandle::isAlive))
          .isNotEqualTo(Optional.of(true));

      // 3. started again on the same data: nobody does anything, the same bot answers
      Instant restarted = Instant.now();
      dev = start(environment, 2);
      assertThat(client.botMessages(botId, ADA)).as("the chat is kept").isEqualTo(chatBefore);
      assertThat(client.mailSubjects()).as("the caught mail is kept").isEqualTo(mailBefore);
      assertThat(get(api + "/me/box", session).path("status").asText())
          .as("the session outlives the restart")
          .isIn("running", "provisioning");
      assertThat(client.portalPage(session).body())
          .as("the Stripe customer outlives the restart")
          .contains("price_starter");
      client.askAndAwaitAnswer(botId, ADA, "hello after a clean stop", ANSWER);
      timing("restart after a clean stop → answer", restarted, Instant.now());
      awaitRunning(client, box);

      // 4. killed (kill -9): the gateway lives on and the next dev mode adopts it
      gateway = gatewayPid(box);
      dev.kill();
      assertThat(ProcessHandle.of(gateway).map(ProcessHandle::isAlive)).contains(true);
      restarted = Instant.now();
      dev = start(environment, 3);
      assertThat(dev.output()).contains("1 running gateway(s) of an earlier operator adopted");
      client.askAndAwaitAnswer(botId, ADA, "hello after a kill", ANSWER);
      timing("restart after a kill -9 → answer", restarted, Instant.now());
      assertThat(gatewayPid(box)).as("the same gateway").isEqualTo(gateway);
      assertThat(client.mailSubjects().stream().filter("Your agent is live"::equals))
          .as("live once, whatever the restarts")
          .hasSize(1);

      // 5. the token revoked in BotFather (here: the sandbox): not running within a minute
      Instant revoked = Instant.now();
      post(sandbox + "/telegram/_sandbox/bots/" + botId + "/revoke", "{}", 200);
      await()
          .atMost(REFUSED_BOUND)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> client.observedState(box).equals("bot_refused"));
      timing("token revoked → box bot_refused", revoked, Instant.now());
      JsonNode refused = get(api + "/me/box", session);
      assertThat(refused.path("status").asText()).isEqualTo("bot_refused");
      assertThat(refused.path("lastError").asText())
          .isEqualTo("Telegram refused your bot token: send a new one.");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.mailSubjects().contains("Telegram refused your bot token"));

      // 6. the token works again: the box is restarted and runs
      Instant restored = Instant.now();
      post(sandbox + "/telegram/_sandbox/bots/" + botId + "/unrevoke", "{}", 200);
      awaitRunning(client, box);
      timing("token works again → box running", restored, Instant.now());

      Duration lastStop = dev.stop(Duration.ofSeconds(60));
      timings.put("clean stop with the box running again", seconds(lastStop));
      dev = null;
    } finally {
      if (dev != null) {
        dev.close();
      }
      stopGateways();
      timing("the whole test", began, Instant.now());
      System.out.println(report());
    }
  }

  // --- dev mode ------------------------------------------------------------------------------

  /** Ports chosen once: gateways an earlier run left running call the sandbox and proxy there. */
  private Map<String, String> environment() throws IOException {
    Map<String, String> environment = new HashMap<>();
    environment.put("OPENCLAW_DB_URL", postgres.jdbcUrl());
    environment.put("OPENCLAW_DB_USER", postgres.user());
    environment.put("OPENCLAW_DB_PASSWORD", postgres.password() == null ? "" : postgres.password());
    environment.put("OPENCLAW_DB_POOL_SIZE", "4");
    environment.put("OPENCLAW_REDIS_URL", redis.url());
    environment.put("OPENCLAW_REDIS_PREFIX", redis.prefix());
    for (String port :
        List.of(
            "SANDBOX_PORT",
            "SANDBOX_SMTP_PORT",
            "API_PORT",
            "PROXY_PORT",
            "PROXY_INTERNAL_PORT",
            "OPERATOR_PORT",
            "BILLING_PORT",
            "ONBOARDING_PORT")) {
      environment.put("OPENCLAW_" + port, Integer.toString(Ports.free()));
    }
    environment.put("OPENCLAW_OPERATOR_LOCAL_PORT_RANGE", "0");
    String cache = System.getenv("OPENCLAW_LOCAL_CACHE_DIR");
    if (cache != null && !cache.isBlank()) {
      environment.put("OPENCLAW_OPERATOR_LOCAL_CACHE_DIR", cache);
    }
    return environment;
  }

  /** Dev mode's Main in a JVM of its own, in this test's directory; once it says it is up. */
  private JavaProcess start(Map<String, String> environment, int run) {
    Path log = dir.resolve("dev-" + run + ".log");
    JavaProcess dev = JavaProcess.start(Main.class.getName(), dir, environment, log);
    Instant begin = Instant.now();
    await()
        .atMost(START)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              String output = dev.output();
              if (!dev.isAlive()) {
                throw new AssertionError("dev mode ended:\n" + output);
              }
              return output.contains("Ctrl-C stops everything.");
            });
    timing("start " + run + ": JVM → all services healthy", begin, Instant.now());
    return dev;
  }

  private void awaitRunning(DevClient client, UUID box) {
    await()
        .atMost(ANSWER)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.observedState(box).equals("running"));
  }

  /**
   * The console of the first run: one line per service with its URL, one per milestone of the
   * provision, and nothing of Maven (escape codes), Flyway or Hikari beyond one line.
   */
  private static void assertConsole(String output, UUID box, int run) {
    assertThat(output).as("run %d: no escape codes", run).doesNotContain("\u001b[");
    assertThat(lines(output, "flyway")).as("Flyway's banner").isLessThanOrEqualTo(1);
    assertThat(lines(output, "hikari")).as("Hikari's banner").isLessThanOrEqualTo(1);
    for (String service :
        List.of(
            "sandbox", "api", "token-proxy", "operator", "billing-worker", "onboarding-agent")) {
      assertThat(
              output
                  .lines()
                  .filter(
                      line -> line.matches("\\s+" + service + "\\s+http://127\\.0\\.0\\.1:\\d+.*"))
                  .count())
          .as("one line for %s", service)
          .isEqualTo(1);
    }
    for (String step : List.of("scheduled", "ready", "bot", "live")) {
      assertThat(
              output
                  .lines()
                  .filter(line -> line.contains("box " + box + " provision " + step + ":")))
          .as("one line for the step %s", step)
          .hasSize(1);
    }
  }

  private static long lines(String output, String word) {
    return output.lines().filter(line -> line.toLowerCase(Locale.ROOT).contains(word)).count();
  }

  private long gatewayPid(UUID box) throws IOException {
    return Long.parseLong(
        Files.readString(dir.resolve(".openclaw-dev/boxes/" + box + "/gateway.pid")).strip());
  }

  /** Whatever gateway a failed run left behind: they are this test's children's children. */
  private void stopGateways() throws IOException {
    Path boxes = dir.resolve(".openclaw-dev/boxes");
    if (!Files.isDirectory(boxes)) {
      return;
    }
    List<Path> pids = new ArrayList<>();
    try (Stream<Path> found = Files.walk(boxes, 2)) {
      found.filter(path -> path.getFileName().toString().equals("gateway.pid")).forEach(pids::add);
    }
    for (Path pid : pids) {
      ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
          .ifPresent(
              process -> {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
              });
    }
  }

  // --- timings -------------------------------------------------------------------------------

  private void timing(String what, Instant from, Instant to) {
    timings.put(what, seconds(Duration.between(from, to)));
  }

  private static String seconds(Duration took) {
    return String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
  }

  private String report() {
    StringBuilder out = new StringBuilder("\nDevRestartE2E timings\n");
    timings.forEach(
        (what, took) -> out.append(String.format(Locale.ROOT, "  %-52s %s%n", what, took)));
    return out.toString();
  }
}
