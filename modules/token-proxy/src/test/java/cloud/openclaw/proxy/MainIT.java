package cloud.openclaw.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MainIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static RunningService service;

  @BeforeAll
  static void start() {
    service = Main.start(ConfigLoader.load("token-proxy", Map.of(), overrides()));
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  private static Map<String, String> overrides() {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("db.url", postgres.jdbcUrl());
    overrides.put("db.user", postgres.user());
    overrides.put("db.password", postgres.password());
    overrides.put("redis.url", redis.url());
    overrides.put("redis.prefix", redis.prefix());
    overrides.put("proxy.host", "127.0.0.1");
    overrides.put("proxy.port", "0");
    return overrides;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + service.port() + path);
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthIsUpAndChecksPostgresqlAndRedis() throws Exception {
    HttpResponse<String> response = get("/observe/health");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode health = Json.MAPPER.readTree(response.body());
    assertThat(health.path("status").asText()).isEqualTo("UP");
    assertThat(StreamSupport.stream(health.path("checks").spliterator(), false))
        .extracting(check -> check.path("name").asText() + "=" + check.path("status").asText())
        .containsExactlyInAnyOrder("postgresql=UP", "redis=UP");
  }

  @Test
  void metricsArePrometheusTextTaggedWithTheService() throws Exception {
    HttpResponse<String> response = get("/observe/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(response.body())
        .contains("jvm_memory_used_bytes")
        .contains("service=\"token-proxy\"");
  }

  @Test
  void unknownPathIsNotFound() throws Exception {
    assertThat(get("/no-such-path").statusCode()).isEqualTo(404);
  }
}
