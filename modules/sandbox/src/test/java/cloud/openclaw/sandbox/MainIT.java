package cloud.openclaw.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MainIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static RunningService service;

  @BeforeAll
  static void start() {
    Map<String, String> overrides = Map.of("sandbox.host", "127.0.0.1", "sandbox.port", "0");
    service = Main.start(ConfigLoader.load("sandbox", Map.of(), overrides));
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + service.port() + path);
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void rootListsTheStandIns() throws Exception {
    HttpResponse<String> response = get("/");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode index = Json.MAPPER.readTree(response.body());
    assertThat(index.path("service").asText()).isEqualTo("sandbox");
    assertThat(index.path("standIns").isArray()).isTrue();
    assertThat(index.path("standIns"))
        .extracting(JsonNode::asText)
        .containsExactly("kimi", "telegram", "stripe", "mail");
  }
}
