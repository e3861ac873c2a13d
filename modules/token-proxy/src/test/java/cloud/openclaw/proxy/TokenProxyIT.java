package cloud.openclaw.proxy;

import static cloud.openclaw.proxy.ProxyHarness.json;
import static cloud.openclaw.proxy.ProxyHarness.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.testkit.RawHttp;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The proxy as OpenClaw uses it: completions, streams, errors, metering. */
class TokenProxyIT {
  /** proxy.max-body-bytes as shipped: 8 MiB. */
  private static final long MAX_BODY = 8L * 1024 * 1024;

  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  static ProxyHarness harness;
  static ProxyHarness.Agent agent;

  @BeforeAll
  static void start() {
    harness = new ProxyHarness(postgres, redis, Map.of("proxy.upstream.timeout", "PT2S"));
    agent = harness.agent("pro", 10_000_000);
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  private UsageEvent recorded(String requestId) {
    UsageStore usage = new UsageStore(harness.database);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> usage.findEvent(harness.database.execute(), requestId).isPresent());
    return usage.findEvent(harness.database.execute(), requestId).orElseThrow();
  }

  @Test
  void aCompletionIsAnsweredAndItsReportedUsageRecorded() throws Exception {
    HttpResponse<String> response =
        harness.chat(harness.replicaA, agent.token(), message("hello there"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.path("choices").get(0).path("message").path("content").asText())
        .isEqualTo("echo: hello there");
    String requestId = response.headers().firstValue("x-request-id").orElseThrow();
    UsageEvent event = recorded(requestId);
    assertThat(event.outcome()).isEqualTo(UsageOutcome.OK);
    assertThat(event.estimated()).isFalse();
    assertThat(event.promptTokens()).isEqualTo(body.path("usage").path("prompt_tokens").asLong());
    assertThat(event.completionTokens())
        .isEqualTo(body.path("usage").path("completion_tokens").asLong());
    assertThat(event.customerId()).isEqualTo(agent.customerId());
    assertThat(event.boxId()).isEqualTo(agent.boxId());
    assertThat(event.model()).isEqualTo("kimi-k2.6");
    assertThat(event.proxyOverheadUs()).isNotNull().isNotNegative();
  }

  @Test
  void aStreamIsRelayedAndTheUsageTheProxyAskedForIsRecorded() throws Exception {
    // The client did not ask for usage: the proxy injects stream_options.include_usage.
    HttpResponse<String> response =
        harness.chat(
            harness.replicaB, agent.token(), message("kimi-k2.6", "one two three", true, null));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    List<String> data = response.body().lines().filter(line -> line.startsWith("data: ")).toList();
    assertThat(data.getLast()).isEqualTo("data: [DONE]");
    String text =
        data.stream()
            .filter(line -> !line.equals("data: [DONE]"))
            .map(
                line ->
                    parse(line.substring(6))
                        .path("choices")
                        .path(0)
                        .path("delta")
                        .path("content")
                        .asText(""))
            .reduce("", String::concat);
    assertThat(text).isEqualTo("echo: one two three");

    UsageEvent event = recorded(response.headers().firstValue("x-request-id").orElseThrow());
    assertThat(event.outcome()).isEqualTo(UsageOutcome.OK);
    assertThat(event.estimated()).isFalse();
    assertThat(event.completionTokens()).isEqualTo(4);
  }

  @Test
  void usageReportedInsideChoicesIsReadToo() throws Exception {
    HttpResponse<String> response =
        harness.chat(
            harness.replicaA,
            agent.token(),
            message("kimi-k2.6", "a b", true, Map.of("usage_in", "choices")));
    assertThat(response.statusCode()).isEqualTo(200);
    UsageEvent event = recorded(response.headers().firstValue("x-request-id").orElseThrow());
    assertThat(event.estimated()).isFalse();
    assertThat(event.completionTokens()).isEqualTo(3);
  }

  @Test
  void aClientThatLeavesMidStreamCancelsTheUpstreamAndIsChargedAnEstimate() throws Exception {
    long abortedBefore = sandboxStat("streamsAborted");
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + harness.replicaA.port() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + agent.token())
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    message(
                        "kimi-k2.6",
                        "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20",
                        true,
                        Map.of("chunk_delay_ms", 300))))
            .build();
    HttpResponse<InputStream> response =
        harness.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    String requestId = response.headers().firstValue("x-request-id").orElseThrow();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String first;
      do {
        first = reader.readLine();
      } while (first != null && !first.startsWith("data: "));
      assertThat(first).isNotNull();
    } // closing the body: the client is gone

    UsageEvent event = recorded(requestId);
    assertThat(event.outcome()).isEqualTo(UsageOutcome.CLIENT_CANCELLED);
    assertThat(event.estimated()).isTrue();
    assertThat(event.promptTokens()).isPositive();
    await().atMost(10, TimeUnit.SECONDS).until(() -> sandboxStat("streamsAborted") > abortedBefore);
  }

  @Test
  void unknownMissingRevokedAndSuspendedTokensAreRefusedWithActionableCodes() throws Exception {
    assertError(harness.chat(harness.replicaA, null, message("x")), 401, "invalid_api_key");
    assertError(harness.chat(harness.replicaA, "ocp_nope", message("x")), 401, "invalid_api_key");
    String unknown = cloud.openclaw.platform.crypto.ProxyTokens.generate();
    assertError(harness.chat(harness.replicaA, unknown, message("x")), 401, "invalid_api_key");

    ProxyHarness.Agent suspended = harness.agent("starter", 1_000_000);
    harness.internalA.boxTokens(suspended.boxId(), "suspend");
    assertError(
        harness.chat(harness.replicaB, suspended.token(), message("x")), 403, "token_suspended");
    harness.internalA.boxTokens(suspended.boxId(), "resume");
    assertThat(harness.chat(harness.replicaB, suspended.token(), message("x")).statusCode())
        .isEqualTo(200);

    harness.internalA.revokeToken(suspended.tokenId());
    assertError(
        harness.chat(harness.replicaA, suspended.token(), message("x")), 403, "token_revoked");
  }

  @Test
  void badInputIsA4xxInOpenAisShapeAndNeverReachesTheUpstream() throws Exception {
    long before = harness.upstreamRequests();
    String token = agent.token();
    assertError(harness.chat(harness.replicaA, token, "{not json"), 400, "invalid_request");
    assertError(harness.chat(harness.replicaA, token, "[]"), 400, "invalid_request");
    assertError(
        harness.chat(
            harness.replicaA, token, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        400,
        "invalid_request");
    assertError(
        harness.chat(harness.replicaA, token, message("gpt-7", "x", false, null)),
        404,
        "model_not_found");
    assertError(
        harness.chat(harness.replicaA, token, "{\"model\":\"kimi-k2.6\",\"messages\":[]}"),
        400,
        "invalid_request");
    assertError(
        harness.chat(
            harness.replicaA,
            token,
            "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":-3}"),
        400,
        "invalid_request");
    assertError(
        harness.post(harness.replicaA, "/v1/chat/completions", token, "text/plain", message("x")),
        415,
        "unsupported_media_type");
    assertThat(harness.upstreamRequests()).isEqualTo(before);
  }

  @Test
  void aBodyOverTheLimitIsRefusedBeforeItIsReadInOpenAisShape() throws Exception {
    long before = harness.upstreamRequests();
    Map<String, String> headers =
        Map.of("Content-Type", "application/json", "Authorization", "Bearer " + agent.token());
    RawHttp.Answer declared =
        RawHttp.declaring(
            harness.replicaA.port(), "POST", "/v1/chat/completions", headers, MAX_BODY + 1);
    assertTooLarge(declared);
    RawHttp.Answer chunked =
        RawHttp.chunked(
            harness.replicaA.port(),
            "POST",
            "/v1/chat/completions",
            headers,
            MAX_BODY + 1024 * 1024,
            (byte) ' ',
            MAX_BODY);
    assertTooLarge(chunked);
    assertThat(harness.upstreamRequests()).isEqualTo(before);

    // A long chat history under the limit (over the 4 MiB the proxy took before), sent chunked.
    String longHistory = message("y".repeat(6 * 1024 * 1024));
    RawHttp.Answer answer =
        RawHttp.chunked(
            harness.replicaA.port(),
            "POST",
            "/v1/chat/completions",
            headers,
            longHistory.getBytes(StandardCharsets.UTF_8));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(harness.upstreamRequests()).isEqualTo(before + 1);
  }

  private static void assertTooLarge(RawHttp.Answer answer) throws Exception {
    assertThat(answer.status()).as(answer.body()).isEqualTo(413);
    JsonNode error = cloud.openclaw.platform.http.Json.MAPPER.readTree(answer.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("request_too_large");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("message").asText()).contains(Long.toString(MAX_BODY));
  }

  @Test
  void oversizedHeadersAreRefusedWithA4xx() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", harness.replicaA.port())) {
      String request =
          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Padding: "
              + "a".repeat(64 * 1024)
              + "\r\nContent-Length: 0\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String status =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      assertThat(status).matches("HTTP/1.1 4\\d\\d .*");
    }
  }

  @Test
  void anOpenClawSizedRequestOf60KbPasses() throws Exception {
    HttpResponse<String> response =
        harness.chat(harness.replicaA, agent.token(), message("y ".repeat(30_000)));
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void upstreamFailuresBecome502And504AndItsClientErrorsPassThrough() throws Exception {
    assertError(
        harness.chat(
            harness.replicaA,
            agent.token(),
            message("kimi-k2.6", "x", false, Map.of("status", 503))),
        502,
        "upstream_error");
    HttpResponse<String> refused =
        harness.chat(
            harness.replicaA,
            agent.token(),
            message("kimi-k2.6", "x", false, Map.of("status", 400)));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(json(refused).path("error").path("type").asText())
        .isEqualTo("invalid_request_error");
    assertError(
        harness.chat(
            harness.replicaA,
            agent.token(),
            message("kimi-k2.6", "x", true, Map.of("stall", true))),
        504,
        "upstream_timeout");
  }

  @Test
  void modelsListsThePlansModelsAndOtherPathsAre404() throws Exception {
    HttpResponse<String> models = harness.get(harness.replicaA, "/v1/models", agent.token());
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(json(models).path("data").findValuesAsText("id"))
        .containsExactly("kimi-k2.6", "kimi-k2.7-code", "kimi-k2.7-code-highspeed", "kimi-k3");
    assertError(harness.get(harness.replicaA, "/v1/embeddings", agent.token()), 404, "not_found");
    assertError(harness.get(harness.replicaA, "/nothing/here", null), 404, "not_found");
    assertError(harness.get(harness.replicaA, "/observe/metrics", null), 404, "not_found");
    // ... while the catch-all leaves the bare liveness answer alone (details: internal port)
    HttpResponse<String> health = harness.get(harness.replicaA, "/observe/health", null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
    HttpResponse<String> detailed = harness.getInternal(harness.replicaA, "/observe/health");
    assertThat(detailed.statusCode()).isEqualTo(200);
    assertThat(json(detailed).path("checks").findValuesAsText("name")).contains("postgresql");
  }

  @Test
  void metricsCountRequestsOverheadAndTokens() throws Exception {
    harness.chat(harness.replicaA, agent.token(), message("count me"));
    String metrics = harness.getInternal(harness.replicaA, "/observe/metrics").body();
    assertThat(metrics)
        .contains("proxy_requests_total{outcome=\"ok\"")
        .contains("proxy_overhead_seconds_bucket")
        .contains(
            "proxy_upstream_seconds_bucket",
            "proxy_upstream_errors_total{kind=\"timeout\"",
            "proxy_usage_writer_pending")
        .contains("proxy_tokens_total{kind=\"completion\",model=\"kimi-k2.6\"")
        .contains("proxy_usage_writer_lag_seconds");
  }

  @Test
  void theInternalApiWantsTheServiceToken() throws Exception {
    HttpResponse<String> response =
        harness.http.send(
            HttpRequest.newBuilder(
                    harness.internalA("/internal/customers/" + agent.customerId() + "/usage"))
                .header("Authorization", "Bearer wrong")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(harness.internalA.usage(agent.customerId()).allowance()).isEqualTo(10_000_000);
  }

  private long sandboxStat(String name) throws Exception {
    HttpResponse<String> stats =
        harness.http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + harness.sandbox.port() + "/kimi/_sandbox/stats"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return json(stats).path(name).asLong();
  }

  private static JsonNode parse(String json) {
    try {
      return cloud.openclaw.platform.http.Json.MAPPER.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = json(response).path("error");
    assertThat(error.path("code").asText()).as(response.body()).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.has("type")).isTrue();
  }
}
