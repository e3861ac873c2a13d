package cloud.openclaw.proxy;

import static cloud.openclaw.proxy.ProxyHarness.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.testkit.JavaProcess;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token proxy as a process of its own, killed (kill -9) and started again: usage already
 * buffered in Redis reaches PostgreSQL once, nothing is counted twice, and what a crash loses is
 * the usage of the streams in flight at that moment, each at most what it held. Then Redis is
 * emptied while the proxy is down: a spent allowance stays spent (its counters come back from
 * PostgreSQL) and a revoked key stays revoked.
 */
class ProxyCrashIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  static final Duration START = Duration.ofSeconds(90);
  static Database database;
  static Sandbox sandbox;
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;
  private final List<String> report = new ArrayList<>();

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    sandbox = TestServices.sandbox();
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(sandbox, database);
  }

  @Test
  void aKillMidStreamLosesOnlyTheStreamsInFlightAndCountsTheBufferedUsageOnce() throws Exception {
    // A writer that lingers a minute after its first batch: every later event is certain to be in
    // the Redis buffer, not yet in PostgreSQL, when the proxy is killed.
    Map<String, String> environment = environment(Map.of("PROXY_USAGE_WRITER_LINGER", "PT60S"));
    List<String> answered = new ArrayList<>();
    List<Stream> inFlight = new ArrayList<>();
    Agent agent;
    Instant began = Instant.now();
    try (JavaProcess proxy = startProxy(environment, "proxy-1.log")) {
      report.add("start → healthy: " + seconds(began));
      agent = agent(environment, 10_000_000);
      answered.add(chat(environment, agent.token(), message("the first, recorded at once")));
      awaitRecorded(answered);
      for (int i = 0; i < 20; i++) {
        answered.add(chat(environment, agent.token(), message("buffered " + i)));
      }
      assertThat(recordedCount(answered)).as("buffered, not yet in PostgreSQL").isEqualTo(1);
      report.add("21 answers: " + seconds(began));
      for (int i = 0; i < 4; i++) {
        inFlight.add(Stream.open(environment, agent.token()));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> inFlight.stream().allMatch(stream -> stream.chunks.get() >= 3));
      report.add("4 streams under way: " + seconds(began));
      proxy.kill();
    }
    long relayed = inFlight.stream().mapToLong(stream -> stream.chunks.get()).sum();

    Instant restarted = Instant.now();
    try (JavaProcess proxy = startProxy(environment, "proxy-2.log")) {
      report.add("restart → healthy: " + seconds(restarted));
      awaitRecorded(answered);
      report.add("restart → the 20 buffered events in PostgreSQL: " + seconds(restarted));
      List<String> killed = inFlight.stream().map(stream -> stream.requestId).toList();
      assertThat(recordedCount(killed)).as("streams cut by the kill").isZero();
      assertThat(
              database
                  .execute()
                  .get(
                      "SELECT count(*) AS n FROM usage_events WHERE customer_id = ?",
                      agent.customer())
                  .orElseThrow()
                  .column("n")
                  .getLong())
          .isEqualTo(answered.size());
      assertMonthlyEqualsEvents(agent.customer());
      Instant stopping = Instant.now();
      proxy.stop(Duration.ofSeconds(30));
      report.add("clean stop: " + seconds(stopping));
    }
    report.add(
        "usage lost: the "
            + inFlight.size()
            + " streams in flight ("
            + relayed
            + " content chunks relayed, each stream held at most its prompt + 64 tokens)");
    System.out.println("ProxyCrashIT: " + String.join("; ", report));
  }

  @Test
  void redisRestartedEmptyKeepsASpentAllowanceSpentAndARevokedKeyRevoked() throws Exception {
    Map<String, String> environment = environment(Map.of());
    Agent spent;
    Agent revoked;
    try (JavaProcess proxy = startProxy(environment, "proxy-a.log")) {
      spent = agent(environment, 200);
      revoked = agent(environment, 10_000_000);
      TokenProxyClient internal = internal(environment);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  status(environment, spent.token(), message("spend it")) == 429
                      && recordedTokens(spent.customer()) >= 200);
      assertThat(status(environment, revoked.token(), message("still mine"))).isEqualTo(200);
      internal.revokeToken(revoked.tokenId());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> status(environment, revoked.token(), message("gone?")) == 403);
      proxy.kill();
    }
    redis.wipe(); // to the proxy, the same as a Redis restarted without its data

    try (JavaProcess proxy = startProxy(environment, "proxy-b.log")) {
      long upstreamBefore = upstreamRequests();
      assertThat(status(environment, spent.token(), message("again"))).isEqualTo(429);
      assertThat(status(environment, revoked.token(), message("again")))
          .as("token_revoked")
          .isEqualTo(403);
      assertThat(upstreamRequests()).as("the upstream is never called").isEqualTo(upstreamBefore);
      proxy.stop(Duration.ofSeconds(30));
    }
  }

  // --- the proxy as a process --------------------------------------------------------------------

  private Map<String, String> environment(Map<String, String> extra) {
    Map<String, String> environment = new HashMap<>();
    environment.put("OPENCLAW_DB_URL", postgres.jdbcUrl());
    environment.put("OPENCLAW_DB_USER", postgres.user());
    environment.put("OPENCLAW_DB_PASSWORD", postgres.password() == null ? "" : postgres.password());
    environment.put("OPENCLAW_DB_POOL_SIZE", "4");
    environment.put("OPENCLAW_REDIS_URL", redis.url());
    environment.put("OPENCLAW_REDIS_PREFIX", redis.prefix());
    environment.put("OPENCLAW_PROXY_HOST", "127.0.0.1");
    environment.put("OPENCLAW_PROXY_PORT", Integer.toString(TestServices.freePort()));
    environment.put("OPENCLAW_PROXY_INTERNAL_HOST", "127.0.0.1");
    environment.put("OPENCLAW_PROXY_INTERNAL_PORT", Integer.toString(TestServices.freePort()));
    environment.put("OPENCLAW_PROXY_INTERNAL_TOKEN", TestTokenProxy.INTERNAL_TOKEN);
    environment.put(
        "OPENCLAW_PROXY_UPSTREAM_BASE_URL", "http://127.0.0.1:" + sandbox.port() + "/kimi/v1");
    environment.put("OPENCLAW_PROXY_UPSTREAM_API_KEY", "sk-sandbox-kimi");
    // The test sends its requests back to back: above the plan's rate (a burst of 20) on a fast
    // machine, and a 429 is not what it is about.
    environment.put("OPENCLAW_PLANS_PRO_REQUESTS_PER_SECOND", "1000");
    extra.forEach((key, value) -> environment.put("OPENCLAW_" + key, value));
    return environment;
  }

  private JavaProcess startProxy(Map<String, String> environment, String log) {
    return JavaProcess.start(Main.class.getName(), dir, environment, dir.resolve(log))
        .awaitAnswering(base(environment) + "/observe/health", START);
  }

  private static String base(Map<String, String> environment) {
    return "http://127.0.0.1:" + environment.get("OPENCLAW_PROXY_PORT");
  }

  private static TokenProxyClient internal(Map<String, String> environment) {
    return new TokenProxyClient(
        URI.create("http://127.0.0.1:" + environment.get("OPENCLAW_PROXY_INTERNAL_PORT")),
        TestTokenProxy.INTERNAL_TOKEN);
  }

  /** A customer's agent: an active customer with a box, an open period and a proxy token. */
  record Agent(UUID customer, UUID tokenId, String token) {}

  private static Agent agent(Map<String, String> environment, long allowance) {
    TokenProxyClient internal = internal(environment);
    UUID customer = TestTokenProxy.activeCustomer(database, "pro");
    SecretBox secrets = new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32])));
    Box box =
        new BoxStore(database, secrets)
            .create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.LOCAL));
    TestTokenProxy.openPeriod(internal, customer, allowance);
    TokenProxyClient.IssuedToken token = internal.issueToken(box.id());
    return new Agent(customer, token.id(), token.token());
  }

  // --- requests
  // -----------------------------------------------------------------------------------

  /** A whole answer; returns its request id. */
  private static String chat(Map<String, String> environment, String token, String body)
      throws Exception {
    HttpResponse<String> response =
        HTTP.send(completion(environment, token, body), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-request-id").orElseThrow();
  }

  private static int status(Map<String, String> environment, String token, String body)
      throws Exception {
    return HTTP.send(completion(environment, token, body), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static HttpRequest completion(
      Map<String, String> environment, String token, String body) {
    return HttpRequest.newBuilder(URI.create(base(environment) + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** A slow stream (a word every 200 ms) read on a thread of its own, counting its chunks. */
  private static final class Stream {
    final String requestId;
    final AtomicInteger chunks = new AtomicInteger();

    private Stream(String requestId) {
      this.requestId = requestId;
    }

    static Stream open(Map<String, String> environment, String token) throws Exception {
      StringBuilder words = new StringBuilder();
      for (int i = 0; i < 40; i++) {
        words.append("w").append(i).append(' ');
      }
      HttpResponse<InputStream> response =
          HTTP.send(
              completion(
                  environment,
                  token,
                  message("kimi-k2.6", words.toString(), true, Map.of("chunk_delay_ms", 200))),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      Stream stream = new Stream(response.headers().firstValue("x-request-id").orElseThrow());
      Thread.ofVirtual()
          .start(
              () -> {
                try (BufferedReader lines =
                    new BufferedReader(
                        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                  for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("data: ") && line.contains("\"content\"")) {
                      stream.chunks.incrementAndGet();
                    }
                  }
                } catch (IOException cut) {
                  // the proxy was killed
                }
              });
      return stream;
    }
  }

  // --- PostgreSQL
  // ----------------------------------------------------------------------------------

  private static void awaitRecorded(List<String> requestIds) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> recordedCount(requestIds) == requestIds.size());
  }

  private static long recordedCount(List<String> requestIds) {
    return database
        .execute()
        .get(
            "SELECT count(*) AS n FROM usage_events WHERE request_id = ANY(?)",
            (Object) requestIds.toArray(String[]::new))
        .orElseThrow()
        .column("n")
        .getLong();
  }

  private static long recordedTokens(UUID customer) {
    return database
        .execute()
        .get(
            "SELECT coalesce(sum(prompt_tokens + completion_tokens), 0)::bigint AS n FROM usage_monthly"
                + " WHERE customer_id = ?",
            customer)
        .orElseThrow()
        .column("n")
        .getLong();
  }

  /** The period's totals are exactly the sum of its recorded events: nothing counted twice. */
  private static void assertMonthlyEqualsEvents(UUID customer) {
    var events =
        database
            .execute()
            .get(
                "SELECT count(*) AS requests, sum(prompt_tokens)::bigint AS prompt,"
                    + " sum(completion_tokens)::bigint AS completion FROM usage_events WHERE customer_id = ?",
                customer)
            .orElseThrow();
    var monthly =
        database
            .execute()
            .get(
                "SELECT sum(requests)::bigint AS requests, sum(prompt_tokens)::bigint AS prompt,"
                    + " sum(completion_tokens)::bigint AS completion FROM usage_monthly WHERE customer_id = ?",
                customer)
            .orElseThrow();
    for (String column : List.of("requests", "prompt", "completion")) {
      assertThat(monthly.column(column).getLong())
          .as(column)
          .isEqualTo(events.column(column).getLong());
    }
  }

  private long upstreamRequests() throws Exception {
    HttpResponse<String> stats =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sandbox.port() + "/kimi/_sandbox/stats"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return cloud.openclaw.platform.http.Json.MAPPER
        .readTree(stats.body())
        .path("requests")
        .asLong();
  }

  private static String seconds(Instant since) {
    return String.format("%.1f s", Duration.between(since, Instant.now()).toMillis() / 1000.0);
  }
}
