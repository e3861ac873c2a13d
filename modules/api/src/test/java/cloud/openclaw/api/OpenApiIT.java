package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** /openapi is served, and lists exactly the routes the services register. */
@ServerTest
class OpenApiIT {
  static ApiFixture api;
  private final ApiClient client;

  OpenApiIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api = ApiFixture.start(OpenApiIT.class);
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  /** A route's path as served and as the document names it. */
  static String fullPath(ApiService service, ApiService.Route route) {
    return route.path().equals("/") ? service.prefix() : service.prefix() + route.path();
  }

  @Test
  void theDocumentListsEveryRouteAndNothingElse() throws Exception {
    ApiClient.Answer answer = client.get("/openapi", null);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.response().headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/json");
    JsonNode document = Json.MAPPER.readTree(answer.body());
    assertThat(document.path("openapi").asText()).startsWith("3.");

    Set<String> served = new TreeSet<>();
    for (ApiService service : api.services) {
      for (ApiService.Route route : service.routes()) {
        served.add(route.method().text() + " " + fullPath(service, route));
      }
    }
    Set<String> documented = new TreeSet<>();
    document
        .path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        method ->
                            documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));

    assertThat(documented).isEqualTo(served);
  }

  @Test
  void everyDocumentedPathIsServedThereAndAnEmptyRequestIsNo500() {
    // Paths in the document are served at exactly that path (prefix and "/" routes included).
    for (ApiService service : api.services) {
      for (ApiService.Route route : service.routes()) {
        if (route.path().contains("{")) {
          continue;
        }
        String path = fullPath(service, route);
        ApiClient.Answer answer =
            client.send(
                client
                    .request(path)
                    .method(
                        route.method().text(), java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertThat(answer.status())
            .as(route.method().text() + " " + path)
            .isNotEqualTo(404)
            .isLessThan(500);
      }
    }
  }
}
