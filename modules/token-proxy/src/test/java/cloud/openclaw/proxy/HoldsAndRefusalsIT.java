package cloud.openclaw.proxy;

import static cloud.openclaw.proxy.ProxyHarness.json;
import static cloud.openclaw.proxy.ProxyHarness.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The allowance hold covers whatever a request may use (docs/token-proxy.md, overshoot bound), and
 * refused requests are counted per customer and period, not written to PostgreSQL one by one.
 */
class HoldsAndRefusalsIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  static ProxyHarness harness;

  @BeforeAll
  static void start() {
    harness =
        new ProxyHarness(
            postgres,
            redis,
            Map.of("proxy.default-max-tokens", "3", "proxy.refusal-flush-interval", "PT0.2S"));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void aRequestThatNamesNoLimitGetsTheLimitItIsHeldFor() throws Exception {
    ProxyHarness.Agent agent = harness.agent("pro", 1_000_000);
    String unlimited =
        "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"one two three four five six seven\"}]}";

    HttpResponse<String> response = harness.chat(harness.replicaA, agent.token(), unlimited);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answer = json(response);
    assertThat(answer.path("usage").path("completion_tokens").asLong())
        .as("held for proxy.default-max-tokens (3), so limited to it")
        .isEqualTo(3);
    assertThat(answer.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
  }

  @Test
  void everyChoiceOfARequestIsHeldInFull() throws Exception {
    ProxyHarness.Agent agent = harness.agent("pro", 1_000_000);
    String fiveChoices =
        "{\"model\":\"kimi-k2.6\",\"n\":5,\"max_completion_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"sandbox\":{\"latency_ms\":3000}}";
    long prompt = fiveChoices.getBytes(StandardCharsets.UTF_8).length / 3 + 1;

    CompletableFuture<HttpResponse<String>> answer =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return harness.chat(harness.replicaA, agent.token(), fiveChoices);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });

    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> harness.internalA.usage(agent.customerId()).held() > 0);
    assertThat(harness.internalA.usage(agent.customerId()).held()).isEqualTo(prompt + 5 * 100);
    assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> harness.internalA.usage(agent.customerId()).held() == 0);
  }

  @Test
  void completionLimitsThatDisagreeAreRefusedBeforeTheUpstream() throws Exception {
    ProxyHarness.Agent agent = harness.agent("pro", 1_000_000);
    long upstream = harness.upstreamRequests();

    HttpResponse<String> response =
        harness.chat(
            harness.replicaB,
            agent.token(),
            "{\"model\":\"kimi-k2.6\",\"max_completion_tokens\":1,\"max_tokens\":32000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    TokenProxyIT.assertError(response, 400, "invalid_request");
    assertThat(json(response).path("error").path("param").asText()).isEqualTo("max_tokens");
    assertThat(harness.upstreamRequests()).isEqualTo(upstream);
  }

  @Test
  void refusedRequestsAreCountedNotWrittenOneByOne() throws Exception {
    ProxyHarness.Agent agent = harness.agent("starter", 1_000_000); // 10 requests per second
    double rateLimitedBefore = rateLimited(harness.replicaA) + rateLimited(harness.replicaB);

    List<HttpResponse<String>> responses = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(16, Thread.ofVirtual().factory())) {
      List<Future<HttpResponse<String>>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        RunningService replica = i % 2 == 0 ? harness.replicaA : harness.replicaB;
        futures.add(pool.submit(() -> harness.chat(replica, agent.token(), message("loop"))));
      }
      for (Future<HttpResponse<String>> future : futures) {
        responses.add(future.get());
      }
    }
    // Refusals of other kinds after authentication count too.
    for (int i = 0; i < 3; i++) {
      TokenProxyIT.assertError(
          harness.chat(harness.replicaA, agent.token(), "{not json"), 400, "invalid_request");
    }

    long admitted = responses.stream().filter(r -> r.statusCode() == 200).count();
    long rateLimited = responses.stream().filter(r -> r.statusCode() == 429).count();
    assertThat(admitted + rateLimited).isEqualTo(500);
    assertThat(rateLimited).isGreaterThan(400);
    long refused = rateLimited + 3;

    UsageStore usage = new UsageStore(harness.database);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                usage
                        .currentPeriod(agent.customerId(), Instant.now())
                        .orElseThrow()
                        .rejectedRequests()
                    == refused);
    assertThat(harness.internalA.usage(agent.customerId()).refused()).isEqualTo(refused);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                usage.currentPeriod(agent.customerId(), Instant.now()).orElseThrow().requests()
                    == admitted);
    assertThat(usageEvents(agent))
        .as("one row per forwarded request, none per refusal")
        .isEqualTo(admitted);
    assertThat(rateLimited(harness.replicaA) + rateLimited(harness.replicaB) - rateLimitedBefore)
        .isEqualTo(rateLimited);
  }

  private static long usageEvents(ProxyHarness.Agent agent) {
    return harness
        .database
        .execute()
        .get("SELECT count(*) AS n FROM usage_events WHERE customer_id = ?", agent.customerId())
        .map(row -> Rows.longValue(row, "n"))
        .orElseThrow();
  }

  private static final Pattern RATE_LIMITED =
      Pattern.compile(
          "^proxy_rejections_total\\{[^}]*reason=\"rate_limit_exceeded\"[^}]*} (\\S+)$",
          Pattern.MULTILINE);

  private static double rateLimited(RunningService replica) throws Exception {
    Matcher line = RATE_LIMITED.matcher(harness.getInternal(replica, "/observe/metrics").body());
    return line.find() ? Double.parseDouble(line.group(1)) : 0;
  }
}
