package cloud.openclaw.launcher;

import static cloud.openclaw.launcher.DevClient.expect;
import static cloud.openclaw.launcher.DevClient.get;
import static cloud.openclaw.launcher.DevClient.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.local.LocalSettings;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roadmap's Definition of Done, end to end: the platform as dev mode runs it ({@link
 * DevLauncher}: every service, the sandbox's stand-ins, the local runtime with the real OpenClaw
 * gateway), on this test's PostgreSQL and Redis and free ports. A person signs up, pays on the
 * sandbox's hosted checkout, their agent answers them (and nobody else) on Telegram, the usage is
 * metered, a spent allowance stops the model, and a cancelled subscription takes the agent away.
 * Driven only from outside, over HTTP and SQL, as a person and the outside services would.
 *
 * <p>The timings are printed (and kept in docs/benchmarks.md). About a minute on 2 cores once Node
 * and OpenClaw are installed (in {@code OPENCLAW_LOCAL_CACHE_DIR}, default
 * ~/.cache/openclaw-cloud); the install, done before the clock starts, takes a few minutes once.
 * Skipped with {@code OPENCLAW_SKIP_LOCAL_IT=true}, like the operator's tests of the real gateway.
 */
@DisabledIfEnvironmentVariable(named = "OPENCLAW_SKIP_LOCAL_IT", matches = "true|1|yes")
class PlatformE2E {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  static final long ADA = 5151;
  static final long STRANGER = 6262;
  static final String INTERNAL_TOKEN = "e2e-internal-token-" + UUID.randomUUID();
  static final String WEBHOOK_SECRET = "whsec_e2e" + UUID.randomUUID().toString().replace("-", "");

  /** The product's promise: paid to answering within a minute. */
  static final Duration LIVE_BOUND = Duration.ofSeconds(60);

  /** Cancelled to gone: the destroy job stops the gateway (10 s grace at most) and revokes. */
  static final Duration GONE_BOUND = Duration.ofSeconds(30);

  private final Map<String, String> timings = new LinkedHashMap<>();

  private String sandbox;
  private String api;
  private String proxy;
  private String proxyInternal;

  /** The test's one connection, for what it reads from PostgreSQL. */
  private Connection db;

  /** The platform as a person and the outside services see it. */
  private DevClient client;

  @Test
  void signUpPayChatMeterCapAndCancel(@TempDir Path home) throws Exception {
    Map<String, String> overrides = overrides(postgres, redis);
    // Node and OpenClaw first, as the operator would install them: the clock measures a start.
    LocalSettings.from(new Settings(ConfigLoader.load("operator", Map.of(), overrides)))
        .install()
        .ensureInstalled();

    try (LogCapture logs = LogCapture.install();
        DevLauncher launcher = new DevLauncher(home, Map.of(), overrides);
        Connection connection =
            DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password())) {
      db = connection;
      launcher.start();
      Map<String, String> urls = new HashMap<>();
      launcher.services().forEach(service -> urls.put(service.name(), service.url()));
      sandbox = urls.get("sandbox");
      api = urls.get("api");
      proxy = urls.get("token-proxy");
      proxyInternal = "http://127.0.0.1:" + overrides.get("proxy.internal.port");
      client = new DevClient(sandbox, api, db);

      // 1. a pending customer with a plan; the sandbox checkout paid; signed webhooks delivered.
      JsonNode bot = client.newBot();
      long botId = bot.path("id").asLong();
      JsonNode signup = client.signUp("ada@example.com", bot.path("token").asText(), List.of(ADA));
      UUID customer = UUID.fromString(signup.path("customerId").asText());
      UUID box = UUID.fromString(signup.path("boxId").asText());
      assertThat(client.customerStatus(customer)).isEqualTo("pending");
      Instant paid = client.payOnHostedCheckout(signup.path("checkoutUrl").asText());
      Instant completed = client.delivered("checkout.session.completed");
      for (String type :
          List.of("customer.subscription.created", "invoice.paid", "invoice.payment_succeeded")) {
        client.delivered(type);
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.customerStatus(customer).equals("active"));
      timing("pay clicked → checkout.session.completed taken (200)", paid, completed);

      // 2. the box live: checkout.session.completed taken → the gateway's first getUpdates.
      Instant firstPoll =
          await()
              .atMost(LIVE_BOUND.plusSeconds(60))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> client.firstPoll(botId), Optional::isPresent)
              .orElseThrow();
      Duration live =
          timing("checkout.session.completed taken → first getUpdates", completed, firstPoll);
      assertThat(live).isLessThan(LIVE_BOUND);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.observedState(box).equals("running"));
      Path boxDir = home.resolve("boxes").resolve(box.toString());
      long pid = Long.parseLong(Files.readString(boxDir.resolve("gateway.pid")).strip());
      String proxyToken = Files.readString(boxDir.resolve("proxy-token")).strip();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
      String session = client.signIn("ada@example.com");
      JsonNode myBox = get(api + "/me/box", session);
      assertThat(myBox.path("status").asText()).isEqualTo("running");
      assertThat(myBox.path("botUsername").asText()).isEqualTo(bot.path("username").asText());

      // 3. the allowed user gets the model's answer; a stranger gets nothing.
      client.sendAsUser(botId, STRANGER, "let me in");
      Instant asked = Instant.now();
      client.sendAsUser(botId, ADA, "hello from the end to end test");
      List<String> answers =
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> client.botMessages(botId, ADA), list -> !list.isEmpty());
      timing("Ada's DM → the agent's answer", asked, Instant.now());
      // The stand-in echoes the model's input: Ada's text as OpenClaw framed it (OpenClaw trims
      // what precedes the text on the way out, "echo: " and its timestamp among it).
      assertThat(answers.getFirst()).contains("hello from the end to end test");
      assertThat(answers).noneMatch(answer -> answer.contains("let me in"));
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> client.botMessages(botId, STRANGER).isEmpty());

      // 4. the usage is in PostgreSQL, exactly as the stand-in reported it.
      JsonNode kimi = get(sandbox + "/kimi/_sandbox/stats");
      assertThat(kimi.path("completions").asLong())
          .as("one model call, for Ada's DM: the stranger's never reached the model")
          .isEqualTo(1);
      Usage expected =
          new Usage(
              kimi.path("completions").asLong(),
              kimi.path("promptTokens").asLong(),
              kimi.path("completionTokens").asLong());
      Instant metering = Instant.now();
      await().atMost(Duration.ofSeconds(15)).until(() -> usage(customer).equals(expected));
      timing("stand-in's counters read → the same usage in usage_events", metering, Instant.now());
      long total = expected.prompt() + expected.completion();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(api + "/me/usage", session).path("used").asLong() == total);

      // 5. the allowance spent: the proxy refuses with insufficient_quota; Ada is told.
      put(
          proxyInternal + "/internal/customers/" + customer + "/allowance",
          "{\"allowance\": 1}",
          200);
      JsonNode refused =
          postExpecting(
              proxy + "/v1/chat/completions",
              proxyToken,
              "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
              429);
      assertThat(refused.path("error").path("code").asText()).isEqualTo("insufficient_quota");
      int before = client.botMessages(botId, ADA).size();
      long upstreamBefore = get(sandbox + "/kimi/_sandbox/stats").path("requests").asLong();
      Instant overQuota = Instant.now();
      client.sendAsUser(botId, ADA, "one more please");
      // OpenClaw (2026.9.6) classifies any error naming insufficient_quota as a billing error and
      // sends its own fixed text, not the proxy's message (docs/benchmarks.md, PlatformE2E); the
      // platform's own notice, in plain words, comes through Ada's bot too, in either order.
      String notice =
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () ->
                      client.botMessages(botId, ADA).stream()
                          .skip(before)
                          .filter(message -> message.startsWith("⚠️"))
                          .findFirst(),
                  Optional::isPresent)
              .orElseThrow();
      timing("Ada's DM over the allowance → the agent tells her", overQuota, Instant.now());
      System.out.println("PlatformE2E: over the allowance the agent said: " + notice);
      assertThat(notice).contains("billing error");
      String platformNotice =
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () ->
                      client.botMessages(botId, ADA).stream()
                          .filter(message -> message.contains("used all of this month's allowance"))
                          .findFirst(),
                  Optional::isPresent)
              .orElseThrow();
      System.out.println("PlatformE2E: and the platform said: " + platformNotice);
      assertThat(platformNotice).contains("renews on");
      assertThat(get(sandbox + "/kimi/_sandbox/stats").path("requests").asLong())
          .as("nothing reached Kimi")
          .isEqualTo(upstreamBefore);
      assertThat(rejected(customer)).isGreaterThanOrEqualTo(2);

      // 6. the subscription deleted: the gateway ends, its proxy token is refused.
      Instant cancelled = cancelInPortal(session);
      Instant deleted = client.delivered("customer.subscription.deleted");
      // both watched in one loop, so that each is timed when it happens
      Instant[] ended = new Instant[1];
      Instant[] revoked = new Instant[1];
      await()
          .atMost(GONE_BOUND)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (ended[0] == null
                    && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                  ended[0] = Instant.now();
                }
                if (revoked[0] == null && refusedToken(proxyToken)) {
                  revoked[0] = Instant.now();
                }
                return ended[0] != null && revoked[0] != null;
              });
      timing("cancel clicked → customer.subscription.deleted taken (200)", cancelled, deleted);
      timing("customer.subscription.deleted taken → gateway process ended", deleted, ended[0]);
      timing("customer.subscription.deleted taken → proxy token refused", deleted, revoked[0]);
      assertThat(Duration.between(deleted, ended[0])).isLessThan(GONE_BOUND);
      assertThat(Duration.between(deleted, revoked[0])).isLessThan(GONE_BOUND);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.observedState(box).equals("destroyed"));
      assertThat(boxDir).doesNotExist();
      assertThat(client.customerStatus(customer)).isEqualTo("cancelled");

      // 7. the services' logs of the whole run: one JSON object a line, and not one of the
      // secrets the run used, as written nor as logged before redaction.
      assertThat(logs.parsed()).isNotEmpty();
      Map<String, String> secrets = new LinkedHashMap<>();
      secrets.put("the bot token", bot.path("token").asText());
      secrets.put("the proxy token", proxyToken);
      secrets.put("the customer's email", "ada@example.com");
      secrets.put("the session", session);
      secrets.put("the internal API's token", INTERNAL_TOKEN);
      secrets.put("the Stripe key", "sk_test_sandbox");
      secrets.put("the Stripe webhook secret", WEBHOOK_SECRET);
      secrets.forEach(
          (what, secret) -> {
            assertThat(logs.lines()).as(what).noneMatch(line -> line.contains(secret));
            assertThat(logs.raw())
                .as(what + ", before redaction")
                .noneMatch(text -> text.contains(secret));
          });
      System.out.println(
          "PlatformE2E: "
              + logs.lines().size()
              + " log lines, none with the run's "
              + secrets.size()
              + " secrets");
    } finally {
      System.out.println(report());
    }
  }

  // --- the platform ------------------------------------------------------------------------

  /** Dev mode on this test's PostgreSQL and Redis, every port free. */
  static Map<String, String> overrides(TestPostgres postgres, TestRedis redis) {
    Map<String, String> overrides = DevPlatform.overrides(postgres, redis);
    // Five services with a pool each, on a PostgreSQL other test runs share: small pools suffice.
    overrides.put("db.pool-size", "4");
    overrides.put("proxy.internal.token", INTERNAL_TOKEN);
    overrides.put("sandbox.stripe.webhook-secret", WEBHOOK_SECRET);
    // Ports the launcher hands on to other services: real ones, not 0 (as proxy.internal.port).
    overrides.put("sandbox.smtp.port", Integer.toString(Ports.free()));
    overrides.put("operator.local.port-range", "0");
    String cache = System.getenv("OPENCLAW_LOCAL_CACHE_DIR");
    if (cache != null && !cache.isBlank()) {
      overrides.put("operator.local.cache-dir", cache);
    }
    return overrides;
  }

  /**
   * Dev mode started on {@code overrides}, Node and OpenClaw installed first as the operator would
   * install them, so that what the tests time is a start, not an install.
   */
  static DevLauncher startWithOpenClaw(Path home, Map<String, String> overrides) {
    LocalSettings.from(new Settings(ConfigLoader.load("operator", Map.of(), overrides)))
        .install()
        .ensureInstalled();
    DevLauncher launcher = new DevLauncher(home, Map.of(), overrides);
    launcher.start();
    return launcher;
  }

  /** Each running service's URL by its name (sandbox, api, token-proxy, ...). */
  static Map<String, String> urls(DevLauncher launcher) {
    Map<String, String> urls = new HashMap<>();
    launcher.services().forEach(service -> urls.put(service.name(), service.url()));
    return urls;
  }

  /** Opens the billing portal from the api and clicks "Cancel now" on its page; when clicked. */
  private Instant cancelInPortal(String session) throws Exception {
    HttpResponse<String> page = client.portalPage(session);
    URI portal = page.uri();
    Matcher form =
        Pattern.compile(
                "<form method=post action=\"([^\"]+/cancel)\"><input type=hidden"
                    + " name=subscription value=\"([^\"]+)\">")
            .matcher(page.body());
    assertThat(form.find()).as("a cancel form in %s", page.body()).isTrue();
    Instant clicked = Instant.now();
    HttpResponse<String> done =
        send(
            HttpRequest.newBuilder(portal.resolve(form.group(1)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("subscription=" + form.group(2)))
                .build());
    assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
    return clicked;
  }

  /** Whether the proxy refuses the token as unknown or revoked (401/403). */
  private boolean refusedToken(String token) throws Exception {
    HttpResponse<String> answer =
        send(
            HttpRequest.newBuilder(URI.create(proxy + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .build());
    return answer.statusCode() == 401 || answer.statusCode() == 403;
  }

  // --- PostgreSQL --------------------------------------------------------------------------

  record Usage(long requests, long prompt, long completion) {}

  private Usage usage(UUID customer) throws Exception {
    try (PreparedStatement query =
        db.prepareStatement(
            "SELECT count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0)"
                + " FROM usage_events WHERE customer_id = ? AND outcome = 'ok'")) {
      query.setObject(1, customer);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return new Usage(row.getLong(1), row.getLong(2), row.getLong(3));
      }
    }
  }

  private long rejected(UUID customer) throws Exception {
    // Counted per period (the proxy writes the count every proxy.refusal-flush-interval).
    String sql =
        "SELECT rejected_requests FROM usage_monthly WHERE customer_id = ?"
            + " ORDER BY period_start DESC LIMIT 1";
    return Long.parseLong(
        await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> client.single(sql, customer), count -> Long.parseLong(count) >= 2));
  }

  // --- HTTP --------------------------------------------------------------------------------

  private JsonNode put(String url, String json, int status) throws Exception {
    return expect(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + INTERNAL_TOKEN)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)),
        status);
  }

  private JsonNode postExpecting(String url, String bearer, String json, int status)
      throws Exception {
    return expect(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        status);
  }

  // --- timings -----------------------------------------------------------------------------

  private Duration timing(String what, Instant from, Instant to) {
    Duration took = Duration.between(from, to);
    timings.put(what, String.format(Locale.ROOT, "%.2f s", took.toMillis() / 1000.0));
    return took;
  }

  private String report() {
    StringBuilder out = new StringBuilder("\nPlatformE2E timings\n");
    timings.forEach(
        (what, took) -> out.append(String.format(Locale.ROOT, "  %-62s %s%n", what, took)));
    return out.toString();
  }
}
