package cloud.openclaw.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import cloud.openclaw.platform.logging.LogContext;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The token proxy started as its main starts it, with {@code logging.format=json}: what it writes
 * is one JSON object per line with the agreed fields, the lines of a call carry the caller's
 * request id (and, once the proxy token is resolved, the customer), and neither the proxy token nor
 * the internal API's service token is ever written.
 */
class ServiceLogLinesIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Sandbox sandbox;
  private RunningService proxy;
  private Database database;

  @AfterEach
  void stop() throws Exception {
    TestServices.closeAll(proxy, sandbox, database);
    LogManager.getLogManager().readConfiguration();
  }

  @Test
  void everyLineIsOneJsonObjectAndACallsLinesCarryItsRequestId() throws Exception {
    sandbox = TestServices.sandbox();
    database = TestServices.database(postgres);
    Map<String, String> overrides =
        TestTokenProxy.overrides(postgres, redis, sandbox.port(), TestServices.freePort());
    overrides.put("logging.format", "json");
    String internalUrl = "http://127.0.0.1:" + overrides.get("proxy.internal.port");
    proxy = ServiceMain.start("token-proxy", Map.of(), overrides, logs, Main::start);
    TokenProxyClient internal =
        new TokenProxyClient(URI.create(internalUrl), TestTokenProxy.INTERNAL_TOKEN);

    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    Box box =
        new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))))
            .create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.LOCAL));
    TestTokenProxy.openPeriod(internal, customer, 1_000_000);
    TokenProxyClient.IssuedToken token;
    try (LogContext.Scope operatorJob = LogContext.request("op-job-1")) {
      token = internal.issueToken(box.id());
    }
    HttpResponse<String> chat =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token.token())
                .header("Content-Type", "application/json")
                .header("X-Request-Id", "gateway-1")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        ProxyHarness.message("kimi-k2.6", "hello", false, Map.of("status", 500))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String completion = chat.headers().firstValue("x-request-id").orElseThrow();

    List<JsonNode> lines = lines();
    assertThat(lines).isNotEmpty();
    for (JsonNode line : lines) {
      assertThat(line.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      assertThat(line.path("level").asText()).isNotBlank();
      assertThat(line.path("service").asText()).isEqualTo("token-proxy");
      assertThat(line.path("logger").isTextual()).isTrue();
      assertThat(line.path("message").isTextual()).isTrue();
    }
    assertThat(lines)
        .as("the internal API's line of the issue, under the caller's request id")
        .anySatisfy(
            line -> {
              assertThat(line.path("message").asText())
                  .isEqualTo("token " + token.id() + " issued for box " + box.id());
              assertThat(line.path("requestId").asText()).isEqualTo("op-job-1");
            });
    assertThat(lines)
        .as("the failed completion's line, under its own id, for its customer")
        .anySatisfy(
            line -> {
              assertThat(line.path("requestId").asText()).isEqualTo(completion);
              assertThat(line.path("customerId").asText()).isEqualTo(customer.toString());
            });
    String text = logs.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain(token.token()).doesNotContain(TestTokenProxy.INTERNAL_TOKEN);
  }

  private List<JsonNode> lines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : logs.toString(StandardCharsets.UTF_8).split("\n", -1)) {
      if (!line.isEmpty()) {
        lines.add(Json.MAPPER.readTree(line));
      }
    }
    return lines;
  }
}
