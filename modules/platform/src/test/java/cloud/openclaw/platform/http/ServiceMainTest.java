package cloud.openclaw.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.ServerSettings;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The log output every service's main installs: one JSON line per record naming the service, also
 * for the shared code's and the libraries' loggers (in a service's own JVM they are its own), with
 * the request id of the request that logged it.
 */
class ServiceMainTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final Logger SHARED = Logger.getLogger("cloud.openclaw.platform.test.Shared");
  private static final Logger OWN = Logger.getLogger("cloud.openclaw.api.test.Own");

  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private RunningService running;

  @AfterEach
  void restore() throws Exception {
    if (running != null) {
      running.close();
    }
    LogManager.getLogManager().readConfiguration();
  }

  @Test
  void jsonLinesNameTheServiceAndTheRequest() throws Exception {
    running = ServiceMain.start("api", Map.of(), Map.of(), logs, ServiceMainTest::echoService);

    HttpResponse<String> answer =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + "/hello"))
                .header("X-Request-Id", "svc-main-1")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    SHARED.info("outside any request");

    assertThat(answer.headers().firstValue("X-Request-Id")).contains("svc-main-1");
    List<JsonNode> lines = lines();
    assertThat(lines)
        .allSatisfy(line -> assertThat(line.path("service").asText()).isEqualTo("api"));
    assertThat(lines)
        .filteredOn(line -> line.path("message").asText().startsWith("hello from"))
        .hasSize(2)
        .allSatisfy(line -> assertThat(line.path("requestId").asText()).isEqualTo("svc-main-1"));
    assertThat(lines)
        .filteredOn(line -> line.path("message").asText().equals("outside any request"))
        .singleElement()
        .satisfies(line -> assertThat(line.has("requestId")).isFalse());
  }

  @Test
  void textIsOneLineEach() throws Exception {
    running =
        ServiceMain.start(
            "operator",
            Map.of("OPENCLAW_LOGGING_FORMAT", "text"),
            Map.of(),
            logs,
            ServiceMainTest::echoService);

    SHARED.info("first");
    SHARED.info("second");

    String text = logs.toString(StandardCharsets.UTF_8);
    assertThat(text.lines())
        .allMatch(line -> line.matches("\\S+Z [A-Z]+ operator \\S+ .*"))
        .anyMatch(line -> line.endsWith(" first"))
        .anyMatch(line -> line.endsWith(" second"));
  }

  @Test
  void theLevelLeavesOutWhatIsLessSevere() throws Exception {
    running =
        ServiceMain.start(
            "api", Map.of(), Map.of("logging.level", "warn"), logs, ServiceMainTest::echoService);

    SHARED.info("not written");
    SHARED.warning("written");

    assertThat(lines())
        .extracting(line -> line.path("message").asText())
        .containsExactly("written");
  }

  @Test
  void anUnknownFormatIsAConfigurationErrorNamingTheKey() {
    Function<Config, RunningService> never =
        config -> {
          throw new AssertionError("must not start");
        };

    assertThatThrownBy(
            () -> ServiceMain.start("api", Map.of(), Map.of("logging.format", "xml"), logs, never))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("logging.format");
  }

  private static RunningService echoService(Config config) {
    return HttpHost.start(
        "api",
        new ServerSettings("127.0.0.1", 0),
        List.of(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        routing ->
            routing.get(
                "/hello",
                (request, response) -> {
                  SHARED.info("hello from the shared code");
                  OWN.info("hello from the api's code");
                  response.send("hi");
                }),
        List.of());
  }

  private List<JsonNode> lines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : logs.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        lines.add(Json.MAPPER.readTree(line));
      }
    }
    return lines;
  }
}
