package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One request id from the api through the operator to the token proxy, with the platform started as
 * dev mode starts it: an admin's request to destroy a box, sent with {@code X-Request-Id}, enqueues
 * a job whose row carries the id; the operator runs the job under it and passes it on to the token
 * proxy, whose log lines of the call carry it. Every log line on the way is one JSON object, and
 * none holds the customer's email or bot token, even before redaction.
 */
class RequestIdPropagationIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  @Test
  void anAdminsRequestIdFollowsItsJobThroughTheOperatorToTheTokenProxy(@TempDir Path home)
      throws Exception {
    Map<String, String> overrides = DevPlatform.overrides(postgres, redis);
    String email = "rid-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    String requestId = "it-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());

    try (LogCapture logs = LogCapture.install();
        DevLauncher launcher = new DevLauncher(home, Map.of(), overrides);
        Connection db =
            DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password())) {
      launcher.start();
      Map<String, String> urls = PlatformE2E.urls(launcher);
      DevClient client = new DevClient(urls.get("sandbox"), urls.get("api"), db);
      String botToken = client.newBot().path("token").asText();
      JsonNode signup = client.signUp(email, botToken, List.of(4242L));
      UUID box = UUID.fromString(signup.path("boxId").asText());
      String customer = signup.path("customerId").asText();
      String admin = client.signIn(DevGuide.ADMIN);

      HttpResponse<String> destroy =
          DevClient.send(
              HttpRequest.newBuilder(
                      URI.create(urls.get("api") + "/admin/boxes/" + box + "/destroy"))
                  .header("Authorization", "Bearer " + admin)
                  .header("X-Request-Id", requestId)
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build());

      assertThat(destroy.statusCode()).as(destroy.body()).isEqualTo(202);
      assertThat(destroy.headers().firstValue("X-Request-Id")).contains(requestId);
      UUID job =
          UUID.fromString(Json.MAPPER.readTree(destroy.body()).path("job").path("id").asText());
      assertThat(client.single("SELECT request_id FROM operator_jobs WHERE id = ?", job))
          .isEqualTo(requestId);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(withRequestId(logs, requestId))
                      .as("the token proxy's line of the operator's call")
                      .anySatisfy(
                          line -> {
                            assertThat(line.path("service").asText()).isEqualTo("token-proxy");
                            assertThat(line.path("message").asText())
                                .isEqualTo("box " + box + ": revoke changed 0 token(s)");
                          })
                      .as("the operator's line of the job's end")
                      .anySatisfy(
                          line -> {
                            assertThat(line.path("message").asText())
                                .contains("job " + job + " (destroy)")
                                .contains("succeeded");
                            assertThat(line.path("customerId").asText()).isEqualTo(customer);
                          }));

      assertThat(logs.parsed())
          .as("every line names its service")
          .allSatisfy(line -> assertThat(line.path("service").asText()).isNotBlank());
      for (String secret : List.of(email, botToken, admin)) {
        assertThat(logs.lines()).noneMatch(line -> line.contains(secret));
        assertThat(logs.raw())
            .as("logged before redaction")
            .noneMatch(text -> text.contains(secret));
      }
    }
  }

  private static List<JsonNode> withRequestId(LogCapture logs, String requestId) {
    return logs.parsed().stream()
        .filter(line -> line.path("requestId").asText().equals(requestId))
        .toList();
  }
}
