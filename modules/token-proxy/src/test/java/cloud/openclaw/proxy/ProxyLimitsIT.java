package cloud.openclaw.proxy;

import static cloud.openclaw.proxy.ProxyHarness.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.limits.UsageWarnings;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The guarantees that must hold across replicas: revocation, the rate, the allowance. */
class ProxyLimitsIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  static ProxyHarness harness;

  @BeforeAll
  static void start() {
    harness = new ProxyHarness(postgres, redis, Map.of());
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void aRevocationOnOneReplicaIsHonouredByTheOtherWithinOneSecond() throws Exception {
    ProxyHarness.Agent agent = harness.agent("starter", 1_000_000);
    // Both replicas have the token in memory.
    assertThat(harness.chat(harness.replicaA, agent.token(), message("a")).statusCode())
        .isEqualTo(200);
    assertThat(harness.chat(harness.replicaB, agent.token(), message("b")).statusCode())
        .isEqualTo(200);

    harness.internalA.revokeToken(agent.tokenId());
    long revoked = System.nanoTime();

    await()
        .atMost(1, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> harness.chat(harness.replicaB, agent.token(), message("c")).statusCode() == 403);
    Duration refusedAfter = Duration.ofNanos(System.nanoTime() - revoked);
    assertThat(refusedAfter).isLessThan(Duration.ofSeconds(1));
    System.out.printf(
        "FIGURES two-replicas: revoked on A, refused on B after %d ms%n", refusedAfter.toMillis());
    TokenProxyIT.assertError(
        harness.chat(harness.replicaB, agent.token(), message("d")), 403, "token_revoked");
  }

  @Test
  void theRateIsOneBudgetAcrossReplicas() throws Exception {
    ProxyHarness.Agent agent = harness.agent("starter", 1_000_000); // 10 requests per second
    long begin = System.nanoTime();
    List<HttpResponse<String>> responses =
        concurrently(50, i -> harness.chat(replica(i), agent.token(), message("r" + i)));
    double seconds = (System.nanoTime() - begin) / 1e9;

    long admitted = responses.stream().filter(r -> r.statusCode() == 200).count();
    List<HttpResponse<String>> limited =
        responses.stream().filter(r -> r.statusCode() == 429).toList();
    assertThat(admitted + limited.size()).isEqualTo(50);
    // A burst of 10, then 10 a second: two replicas must not let twice that through.
    long bound = 10 + (long) Math.ceil(seconds * 10) + 1;
    assertThat(admitted).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo(bound);
    System.out.printf(
        "FIGURES two-replicas: rate 10/s, 50 concurrent over both in %.2f s: %d admitted (bound"
            + " %d), %d refused 429%n",
        seconds, admitted, bound, limited.size());
    for (HttpResponse<String> response : limited) {
      TokenProxyIT.assertError(response, 429, "rate_limit_exceeded");
      assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }
  }

  @Test
  void concurrentRequestsAgainstANearlyExhaustedAllowanceOvershootByAtMostOneRequest()
      throws Exception {
    long allowance = 1_000;
    ProxyHarness.Agent agent = harness.agent("pro", allowance);
    String text = "word ".repeat(40).strip(); // about 55 prompt and 41 completion tokens
    List<HttpResponse<String>> responses =
        concurrently(
            50,
            i ->
                harness.chat(
                    replica(i), agent.token(), message("kimi-k2.6", text, i % 3 == 0, null)));

    long admitted = responses.stream().filter(r -> r.statusCode() == 200).count();
    List<HttpResponse<String>> refused =
        responses.stream().filter(r -> r.statusCode() == 429).toList();
    assertThat(admitted + refused.size()).isEqualTo(50);
    assertThat(refused).isNotEmpty();
    for (HttpResponse<String> response : refused) {
      TokenProxyIT.assertError(response, 429, "insufficient_quota");
    }

    UsageStore usage = new UsageStore(harness.database);
    await().atMost(10, TimeUnit.SECONDS).until(() -> period(usage, agent).requests() == admitted);
    UsageMonthly recorded = period(usage, agent);
    long largestRequest = largestRequest(agent);
    assertThat(recorded.usedTokens())
        .as(
            "recorded usage stays within the allowance plus one request (%d tokens)",
            largestRequest)
        .isLessThanOrEqualTo(allowance + largestRequest)
        .isGreaterThan(allowance - largestRequest);
    System.out.printf(
        "FIGURES two-replicas: allowance %d, 50 concurrent over both: %d admitted, %d refused"
            + " 429; recorded %d tokens (overshoot %d, bound < %d = largest request)%n",
        allowance,
        admitted,
        refused.size(),
        recorded.usedTokens(),
        recorded.usedTokens() - allowance,
        largestRequest);

    long upstreamBefore = harness.upstreamRequests();
    TokenProxyIT.assertError(
        harness.chat(harness.replicaB, agent.token(), message("one more")),
        429,
        "insufficient_quota");
    assertThat(harness.upstreamRequests()).isEqualTo(upstreamBefore);

    // Crossing 80 % and using the allowance up are announced once each (a request that does both
    // at once announces only the 100), however many requests crossed on whichever replica.
    List<String> percents =
        harness.redis.client().xrange(UsageWarnings.stream(harness.redis), "-", "+").stream()
            .filter(
                entry -> entry.getFields().get("customerId").equals(agent.customerId().toString()))
            .map(entry -> entry.getFields().get("percent"))
            .toList();
    assertThat(percents).doesNotHaveDuplicates().contains("100").isSubsetOf("80", "100");
  }

  @Test
  void anAllowanceLoweredBelowWhatWasUsedIsAnnouncedUsedUpAtTheFirstRefusalOnly() throws Exception {
    ProxyHarness.Agent agent = harness.agent("starter", 1_000_000);
    assertThat(harness.chat(harness.replicaA, agent.token(), message("a")).statusCode())
        .isEqualTo(200);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> harness.internalA.usage(agent.customerId()).used() > 0);
    assertThat(percents(agent)).isEmpty();

    harness.internalA.changeAllowance(agent.customerId(), 1);
    for (RunningService replica : List.of(harness.replicaA, harness.replicaB, harness.replicaA)) {
      TokenProxyIT.assertError(
          harness.chat(replica, agent.token(), message("b")), 429, "insufficient_quota");
    }

    assertThat(percents(agent)).containsExactly("100");
  }

  static List<String> percents(ProxyHarness.Agent agent) {
    return harness.redis.client().xrange(UsageWarnings.stream(harness.redis), "-", "+").stream()
        .filter(entry -> entry.getFields().get("customerId").equals(agent.customerId().toString()))
        .map(entry -> entry.getFields().get("percent"))
        .toList();
  }

  @Test
  void aNewPeriodResetsTheCounter() throws Exception {
    ProxyHarness.Agent agent = harness.agent("pro", 50);
    assertThat(
            harness.chat(harness.replicaA, agent.token(), message("word ".repeat(40))).statusCode())
        .isEqualTo(200);
    TokenProxyIT.assertError(
        harness.chat(harness.replicaB, agent.token(), message("x")), 429, "insufficient_quota");

    Instant start = Instant.now().minusSeconds(1);
    harness.internalA.openPeriod(
        agent.customerId(), start, start.plus(Duration.ofDays(30)), 10_000);

    assertThat(harness.chat(harness.replicaB, agent.token(), message("x")).statusCode())
        .isEqualTo(200);
    assertThat(harness.internalA.usage(agent.customerId()).allowance()).isEqualTo(10_000);
  }

  private static UsageMonthly period(UsageStore usage, ProxyHarness.Agent agent) {
    return usage.currentPeriod(agent.customerId(), Instant.now()).orElseThrow();
  }

  private static long largestRequest(ProxyHarness.Agent agent) {
    return harness
        .database
        .execute()
        .get(
            "SELECT max(prompt_tokens + completion_tokens) AS n FROM usage_events WHERE customer_id = ?",
            agent.customerId())
        .map(row -> Rows.longValue(row, "n"))
        .orElseThrow();
  }

  private static RunningService replica(int i) {
    return i % 2 == 0 ? harness.replicaA : harness.replicaB;
  }

  interface Call {
    HttpResponse<String> run(int i) throws Exception;
  }

  private static List<HttpResponse<String>> concurrently(int n, Call call) throws Exception {
    List<Future<HttpResponse<String>>> futures = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(pool.submit((Callable<HttpResponse<String>>) () -> call.run(index)));
      }
    }
    List<HttpResponse<String>> responses = new ArrayList<>();
    for (Future<HttpResponse<String>> future : futures) {
      responses.add(future.get());
    }
    return responses;
  }
}
