package cloud.openclaw.proxy;

import static cloud.openclaw.proxy.ProxyHarness.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.testkit.TcpProxy;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL unreachable for 30 s under two replicas (their connections cut, new ones refused, by a
 * TCP proxy between them and PostgreSQL): tokens and customers the replicas know are served from
 * their memory and Redis, the limits hold in Redis and the usage waits in Redis's stream; what is
 * known nowhere gets 503 with Retry-After, never 500, and so does a change through the internal
 * API; afterwards every request is on record once.
 */
class PostgresOutageIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  private static final Duration OUTAGE = Duration.ofSeconds(30);

  static TcpProxy network;
  static ProxyHarness harness;

  @BeforeAll
  static void start() {
    URI target = URI.create(postgres.jdbcUrl().substring("jdbc:".length()));
    network = TcpProxy.start(target.getHost(), target.getPort());
    harness =
        new ProxyHarness(
            postgres,
            redis,
            Map.of(
                "db.url",
                "jdbc:postgresql://" + network.host() + ":" + network.port() + target.getPath(),
                // Shorter than the outage: the replicas' memory forgets the token meanwhile and
                // Redis (ten times as long) must carry it.
                "proxy.auth-cache-ttl",
                "PT10S"));
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(harness, network);
  }

  @Test
  void knownTokensAreServedFromTheCachesUnknownOnesGet503AndNoUsageIsLost() throws Exception {
    ProxyHarness.Agent known = harness.agent("starter", 1_000_000);
    ProxyHarness.Agent unknown = harness.agent("starter", 1_000_000);
    List<String> served = new CopyOnWriteArrayList<>();
    for (RunningService replica : List.of(harness.replicaA, harness.replicaB)) {
      HttpResponse<String> warm = harness.chat(replica, known.token(), message("warm"));
      assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
      served.add(requestId(warm));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> recordedRequests(known) == 2);

    network.down();
    long down = System.nanoTime();

    // A token no replica has seen: PostgreSQL must be asked, and cannot be.
    long asked = System.nanoTime();
    HttpResponse<String> refused = harness.chat(harness.replicaB, unknown.token(), message("x"));
    long refusedMillis = (System.nanoTime() - asked) / 1_000_000;
    TokenProxyIT.assertError(refused, 503, "service_unavailable");
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(refusedMillis)
        .as("answered before the pool's 5 s wait became a hang")
        .isLessThan(15_000);

    // Changes go to PostgreSQL first: the internal API refuses them (503), the caller retries.
    HttpResponse<String> revoke =
        harness.http.send(
            HttpRequest.newBuilder(
                    harness.internalA("/internal/tokens/" + unknown.tokenId() + "/revoke"))
                .header("Authorization", "Bearer " + ProxyHarness.INTERNAL_TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(503);
    assertThat(revoke.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(ProxyHarness.json(revoke).path("error").path("code").asText())
        .isEqualTo("unavailable");

    // The known token, on both replicas, for the whole outage.
    AtomicInteger sent = new AtomicInteger();
    AtomicLong slowest = new AtomicLong();
    await()
        .during(OUTAGE.minusNanos(System.nanoTime() - down))
        .atMost(OUTAGE.plusSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              RunningService replica =
                  sent.getAndIncrement() % 2 == 0 ? harness.replicaA : harness.replicaB;
              long begin = System.nanoTime();
              HttpResponse<String> response =
                  harness.chat(replica, known.token(), message("during " + sent.get()));
              slowest.accumulateAndGet((System.nanoTime() - begin) / 1_000_000, Math::max);
              assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
              served.add(requestId(response));
              // Nothing reaches PostgreSQL meanwhile; the usage waits in Redis.
              assertThat(recordedRequests(known)).isEqualTo(2);
            });
    // Still ready (it serves), within the cluster's 3 s probe timeout, saying PostgreSQL is away.
    long probed = System.nanoTime();
    HttpResponse<String> health = harness.getInternal(harness.replicaA, "/observe/health");
    long healthMillis = (System.nanoTime() - probed) / 1_000_000;
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(postgresReachable(health)).isFalse();
    assertThat(healthMillis).isLessThan(3_000);
    long outageMillis = (System.nanoTime() - down) / 1_000_000;

    network.up();
    long up = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> recordedRequests(known) == served.size());
    long recordedAfterMillis = (System.nanoTime() - up) / 1_000_000;
    assertThat(recordedEvents(known)).containsExactlyInAnyOrderElementsOf(served);
    assertThat(usedTokens(known)).isEqualTo(eventTokens(known)).isPositive();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                harness.chat(harness.replicaA, unknown.token(), message("y")).statusCode() == 200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> postgresReachable(harness.getInternal(harness.replicaB, "/observe/health")));

    System.out.printf(
        "FIGURES postgres-outage: outage %d ms; %d requests of a known token served during it"
            + " (slowest %d ms); unknown token 503 in %d ms; health 200 in %d ms; all %d usage"
            + " events recorded %d ms after PostgreSQL came back%n",
        outageMillis,
        served.size() - 2,
        slowest.get(),
        refusedMillis,
        healthMillis,
        served.size(),
        recordedAfterMillis);
  }

  private static boolean postgresReachable(HttpResponse<String> health) throws Exception {
    for (JsonNode check : ProxyHarness.json(health).path("checks")) {
      if (check.path("name").asText().equals("postgresql")) {
        return check.path("data").path("reachable").asBoolean();
      }
    }
    throw new AssertionError("no postgresql check in " + health.body());
  }

  private static String requestId(HttpResponse<String> response) {
    return response.headers().firstValue("x-request-id").orElseThrow();
  }

  private static long recordedRequests(ProxyHarness.Agent agent) {
    return harness
        .database
        .execute()
        .get(
            "SELECT coalesce(sum(requests), 0) AS n FROM usage_monthly WHERE customer_id = ?",
            agent.customerId())
        .map(row -> Rows.longValue(row, "n"))
        .orElseThrow();
  }

  private static long usedTokens(ProxyHarness.Agent agent) {
    return harness
        .database
        .execute()
        .get(
            "SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) AS n FROM usage_monthly"
                + " WHERE customer_id = ?",
            agent.customerId())
        .map(row -> Rows.longValue(row, "n"))
        .orElseThrow();
  }

  private static long eventTokens(ProxyHarness.Agent agent) {
    return harness
        .database
        .execute()
        .get(
            "SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) AS n FROM usage_events"
                + " WHERE customer_id = ?",
            agent.customerId())
        .map(row -> Rows.longValue(row, "n"))
        .orElseThrow();
  }

  private static List<String> recordedEvents(ProxyHarness.Agent agent) {
    UUID customer = agent.customerId();
    return harness
        .database
        .execute()
        .query("SELECT request_id FROM usage_events WHERE customer_id = ?", customer)
        .map(row -> Rows.string(row, "request_id"))
        .toList();
  }
}
