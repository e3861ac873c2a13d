package cloud.openclaw.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.testkit.RawHttp;
import io.helidon.http.Status;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What every service gets from HttpHost: the body limit and the two ports. */
class HttpHostTest {
  private static final int LIMIT = 64 * 1024;
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static RunningService service;

  @BeforeAll
  static void start() {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.counter("host_test_requests").increment();
    service =
        HttpHost.start(
            "host-test",
            new ServerSettings("127.0.0.1", 0, "127.0.0.1", 0, LIMIT),
            List.of(HealthChecks.of("pretend-database", () -> true)),
            metrics,
            routing ->
                routing
                    .post(
                        "/echo-size",
                        (request, response) ->
                            Json.send(
                                response,
                                Status.OK_200,
                                Map.of("bytes", request.content().as(byte[].class).length)))
                    .get(
                        "/refused",
                        (request, response) -> {
                          throw new cloud.openclaw.platform.errors.InvalidInputException(
                              "x", "refused for the test");
                        })
                    .get(
                        "/refused-with-id",
                        (request, response) -> {
                          throw new cloud.openclaw.platform.errors.InvalidInputException(
                              "x", "refused for the request id test");
                        })
                    .get(
                        "/request-id",
                        (request, response) ->
                            response.send(
                                cloud.openclaw.platform.logging.LogContext.requestId()
                                    .orElse("none")))
                    .get(
                        "/things/{id}",
                        (request, response) ->
                            Json.send(response, Status.OK_200, Map.of("id", "x"))),
            List.of());
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedWithoutItsBodyBeingSent() {
    RawHttp.Answer answer =
        RawHttp.declaring(service.port(), "POST", "/echo-size", JSON, LIMIT + 1L);

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.headers().get("content-type")).isEqualTo("application/json");
    assertThat(Json.read(answer.body().getBytes(), Map.class))
        .isEqualTo(
            Map.of(
                "error",
                Map.of(
                    "code",
                    "request_too_large",
                    "message",
                    "the request body is larger than 65536 bytes")));
  }

  @Test
  void aChunkedBodyIsRefusedOnceItsChunksPassTheLimit() {
    RawHttp.Answer answer =
        RawHttp.chunked(service.port(), "POST", "/echo-size", JSON, 10L * LIMIT, (byte) 'x', LIMIT);

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.body()).contains("\"code\":\"request_too_large\"");
  }

  @Test
  void bodiesUpToTheLimitArriveWhole() throws Exception {
    RawHttp.Answer chunked =
        RawHttp.chunked(service.port(), "POST", "/echo-size", JSON, new byte[LIMIT]);
    assertThat(chunked.status()).isEqualTo(200);
    assertThat(chunked.body()).isEqualTo("{\"bytes\":" + LIMIT + "}");

    HttpResponse<String> sized =
        CLIENT.send(
            HttpRequest.newBuilder(url(service.port(), "/echo-size"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[LIMIT]))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(sized.statusCode()).isEqualTo(200);
    assertThat(sized.body()).isEqualTo("{\"bytes\":" + LIMIT + "}");
  }

  @Test
  void thePublicPortAnswersABareHealthAndNoMetrics() throws Exception {
    HttpResponse<String> health = get(service.port(), "/observe/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");

    HttpResponse<String> metrics = get(service.port(), "/observe/metrics");
    assertThat(metrics.statusCode()).isEqualTo(404);
    assertThat(metrics.body()).doesNotContain("host_test_requests");
  }

  @Test
  void theInternalPortAnswersHealthWithEachCheckAndTheMetrics() throws Exception {
    assertThat(service.internalPort()).isNotEqualTo(service.port());

    HttpResponse<String> health = get(service.internalPort(), "/observe/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"UP\"").contains("pretend-database");

    HttpResponse<String> metrics = get(service.internalPort(), "/observe/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("host_test_requests_total 1.0");

    assertThat(get(service.internalPort(), "/echo-size").statusCode()).isEqualTo(404);
  }

  @Test
  void requestsAreTimedByMethodStatusAndTheRoutesPrefixNeverTheRawPath() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(get(service.port(), "/things/" + i + "-raw").statusCode()).isEqualTo(200);
    }
    assertThat(get(service.port(), "/no-such-route-" + System.nanoTime()).statusCode())
        .isEqualTo(404);
    assertThat(get(service.port(), "/refused").statusCode()).isEqualTo(400);

    String metrics = get(service.internalPort(), "/observe/metrics").body();
    assertThat(metrics)
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"/things\",status=\"200\"} 3")
        .contains(
            "http_server_requests_seconds_bucket{method=\"GET\",route=\"/things\",status=\"200\",le=")
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"}")
        // A refusal an error handler answers is counted with the status the client got.
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"/refused\",status=\"400\"} 1")
        .doesNotContain("status=\"500\"")
        .doesNotContain("-raw")
        .doesNotContain("no-such-route");
  }

  @Test
  void aValidRequestIdIsTheHandlersAndComesBack() throws Exception {
    HttpResponse<String> answer = get(service.port(), "/request-id", "abc-123.x:y");

    assertThat(answer.body()).isEqualTo("abc-123.x:y");
    assertThat(answer.headers().firstValue("X-Request-Id")).contains("abc-123.x:y");
  }

  @Test
  void aMissingOrUnfitRequestIdIsReplacedByANewOne() throws Exception {
    for (String unfit : new String[] {null, "a b", "x".repeat(65), "<script>", "ünï"}) {
      HttpResponse<String> answer = get(service.port(), "/request-id", unfit);

      assertThat(answer.body()).matches("[0-9a-f]{16}");
      assertThat(answer.headers().firstValue("X-Request-Id")).contains(answer.body());
    }
  }

  @Test
  void errorAnswersAndTheInternalPortCarryTheRequestIdToo() throws Exception {
    assertThat(
            get(service.port(), "/refused-with-id", "err-1").headers().firstValue("X-Request-Id"))
        .contains("err-1");
    assertThat(get(service.port(), "/no-such-route", "err-2").headers().firstValue("X-Request-Id"))
        .contains("err-2");
    assertThat(
            get(service.internalPort(), "/observe/metrics", "int-1")
                .headers()
                .firstValue("X-Request-Id"))
        .contains("int-1");
  }

  @Test
  void theRequestFamilyIsListedBeforeAnyRequest() {
    PrometheusMeterRegistry fresh = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new RequestMetrics(fresh);
    assertThat(fresh.scrape()).contains("http_server_requests_seconds_bucket");
  }

  @Test
  void theRouteIsThePatternsFirstSegment() {
    assertThat(RequestMetrics.route("/api/boxes/{id}")).isEqualTo("/api");
    assertThat(RequestMetrics.route("/v1/chat/completions")).isEqualTo("/v1");
    assertThat(RequestMetrics.route("/")).isEqualTo("/");
    assertThat(RequestMetrics.route("")).isEqualTo(RequestMetrics.UNMATCHED);
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(url(port, path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(int port, String path, String requestId)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(url(port, path)).GET();
    if (requestId != null) {
      request.header("X-Request-Id", requestId);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI url(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
