package cloud.openclaw.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.testkit.BadInputs;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input on every route of the token proxy, as Main serves it: the public API (OpenAI's error
 * shape on every 4xx) and the internal API (the platform's), with testkit's BadInputs corpus and
 * missing, unknown, revoked-looking, oversized and wrong-scheme bearer tokens. Never a 5xx. The
 * counts go to target/bad-input-corpus-proxy.md (docs/reliability.md's table).
 */
class BadInputCorpusIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();
  static ProxyHarness harness;
  static ProxyHarness.Agent agent;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  @BeforeAll
  static void start() {
    harness = new ProxyHarness(postgres, redis, Map.of("proxy.upstream.timeout", "PT5S"));
    agent = harness.agent("pro", 10_000_000);
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  /** One route: method, path template, the fields of its body, and which API serves it. */
  record Route(String method, String path, List<String> fields, boolean internal) {}

  static final List<Route> ROUTES =
      List.of(
          new Route(
              "POST",
              "/v1/chat/completions",
              List.of(
                  "model",
                  "messages",
                  "max_tokens",
                  "max_completion_tokens",
                  "stream",
                  "stream_options",
                  "n",
                  "tools"),
              false),
          new Route("GET", "/v1/models", List.of(), false),
          new Route("POST", "/v1/embeddings", List.of("input"), false),
          new Route("POST", "/internal/boxes/{box}/tokens", List.of(), true),
          new Route("POST", "/internal/platform-accounts/{account}/tokens", List.of(), true),
          new Route("POST", "/internal/boxes/{box}/tokens/{action}", List.of(), true),
          new Route("POST", "/internal/tokens/{token}/{action}", List.of(), true),
          new Route(
              "PUT",
              "/internal/customers/{customer}/period",
              List.of("start", "end", "allowance"),
              true),
          new Route("PUT", "/internal/customers/{customer}/allowance", List.of("allowance"), true),
          new Route("POST", "/internal/customers/{customer}/changed", List.of(), true),
          new Route("GET", "/internal/customers/{customer}/usage", List.of(), true));

  @Test
  void everyRouteAnswersBadInputWithA4xxInItsErrorShapeNeverA5xx() throws Exception {
    URI publicBase = URI.create("http://127.0.0.1:" + harness.replicaA.port());
    URI internalBase = harness.internalA("");
    Map<String, BadInputs.Tally> tallies = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    Map<String, String> auth = new LinkedHashMap<>();
    auth.put("anonymous", null);
    auth.put("unknown token", "Bearer oc_" + "x".repeat(40));
    auth.put("huge token", "Bearer " + "x".repeat(10_000));
    auth.put("basic", "Basic " + agent.token());
    auth.put("internal token", "Bearer " + ProxyHarness.INTERNAL_TOKEN);
    auth.put("agent", "Bearer " + agent.token());
    for (Route route : ROUTES) {
      URI base = route.internal() ? internalBase : publicBase;
      BadInputs.Tally tally =
          tallies.computeIfAbsent(
              route.method() + " " + route.path(), key -> new BadInputs.Tally());
      List<BadInputs.Input> inputs =
          new ArrayList<>(BadInputs.pathAndQuery(route.method(), route.path()));
      if (!route.method().equals("GET")) {
        inputs.addAll(BadInputs.bodies(route.method(), route.path(), route.fields()));
      }
      String rightful = route.internal() ? "internal token" : "agent";
      for (BadInputs.Input input : inputs) {
        for (String as : List.of("anonymous", rightful)) {
          check(base, input, as, auth.get(as), route.internal(), tally, failures);
        }
      }
      BadInputs.Input plain =
          new BadInputs.Input(
              "plain",
              route.method(),
              BadInputs.concrete(route.path()),
              route.method().equals("GET") ? null : "application/json",
              route.method().equals("GET") ? null : "{}".getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, String> as : auth.entrySet()) {
        check(base, plain, as.getKey(), as.getValue(), route.internal(), tally, failures);
      }
    }
    String table = BadInputs.table(tallies);
    Path out = Path.of("target", "bad-input-corpus-proxy.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
    System.out.println(table);
    assertThat(failures).isEmpty();
  }

  private void check(
      URI base,
      BadInputs.Input input,
      String authName,
      String authorization,
      boolean internal,
      BadInputs.Tally tally,
      List<String> failures)
      throws InterruptedException {
    Map<String, String> headers =
        authorization == null ? Map.of() : Map.of("Authorization", authorization);
    BadInputs.Answer answer = BadInputs.send(http, base, input, headers);
    tally.add(answer);
    String what = BadInputs.describe(input, authName, answer);
    if (answer.status() < 0 || answer.status() >= 500) {
      failures.add(what);
    } else if (answer.status() >= 400 && !shaped(answer, internal)) {
      failures.add("not in the error shape: " + what);
    }
  }

  /**
   * OpenAI's {"error": {"message", "type", "param", "code"}}, or the platform's on the internal
   * API.
   */
  static boolean shaped(BadInputs.Answer answer, boolean internal) {
    if (!answer.contentType().startsWith("application/json")) {
      return false;
    }
    try {
      JsonNode error = Json.MAPPER.readTree(answer.body()).path("error");
      if (internal) {
        return error.path("code").isTextual() && error.path("message").isTextual();
      }
      return error.path("message").isTextual()
          && error.path("type").isTextual()
          && error.has("param")
          && error.has("code");
    } catch (IOException e) {
      return false;
    }
  }
}
