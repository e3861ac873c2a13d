package cloud.openclaw.proxy;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything a proxy test needs, real: PostgreSQL and Redis of the test class, the sandbox's Kimi
 * stand-in, and two proxy replicas sharing them (for the global guarantees).
 */
final class ProxyHarness implements AutoCloseable {
  static final String INTERNAL_TOKEN = TestTokenProxy.INTERNAL_TOKEN;

  final Database database;
  final Redis redis;
  final Sandbox sandbox;
  final RunningService replicaA;
  final RunningService replicaB;
  final TokenProxyClient internalA;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String internalUrlA;

  ProxyHarness(TestPostgres postgres, TestRedis testRedis, Map<String, String> extra) {
    this(postgres, testRedis, extra, extra);
  }

  /** With settings of each replica's own on top ({@code redis.url} through a cut-able network). */
  ProxyHarness(
      TestPostgres postgres,
      TestRedis testRedis,
      Map<String, String> extraA,
      Map<String, String> extraB) {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    sandbox = TestServices.sandbox();
    TestTokenProxy.Started a = TestTokenProxy.start(postgres, testRedis, sandbox.port(), extraA);
    replicaA = a.service();
    internalA = a.client();
    internalUrlA = a.internalUrl();
    replicaB = TestTokenProxy.start(postgres, testRedis, sandbox.port(), extraB).service();
  }

  URI internalA(String path) {
    return URI.create(internalUrlA + path);
  }

  /** An active customer on {@code plan} with a box, an open period and a proxy token. */
  Agent agent(String plan, long allowance) {
    UUID customer = TestTokenProxy.activeCustomer(database, plan);
    SecretBox secrets = new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32])));
    Box box =
        new BoxStore(database, secrets)
            .create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.LOCAL));
    TestTokenProxy.openPeriod(internalA, customer, allowance);
    TokenProxyClient.IssuedToken token = internalA.issueToken(box.id());
    return new Agent(customer, box.id(), token.id(), token.token());
  }

  HttpResponse<String> chat(RunningService replica, String token, String body) throws Exception {
    return post(replica, "/v1/chat/completions", token, "application/json", body);
  }

  HttpResponse<String> post(
      RunningService replica, String path, String token, String contentType, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(RunningService replica, String path, String token) throws Exception {
    return get(replica.port(), path, token);
  }

  /** A GET on the replica's internal port: metrics, health with each check, the internal API. */
  HttpResponse<String> getInternal(RunningService replica, String path) throws Exception {
    return get(replica.internalPort(), path, null);
  }

  private HttpResponse<String> get(int port, String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Requests the Kimi stand-in has received so far. */
  long upstreamRequests() throws Exception {
    HttpResponse<String> stats =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sandbox.port() + "/kimi/_sandbox/stats"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.MAPPER.readTree(stats.body()).path("requests").asLong();
  }

  static String message(String text) {
    return message("kimi-k2.6", text, false, null);
  }

  /** A chat request body; {@code sandbox} adds the stand-in's test controls. */
  static String message(String model, String text, boolean stream, Map<String, Object> sandbox) {
    Map<String, Object> body = new HashMap<>();
    body.put("model", model);
    body.put("messages", List.of(Map.of("role", "user", "content", text)));
    body.put("max_completion_tokens", 64);
    if (stream) {
      body.put("stream", true);
    }
    if (sandbox != null) {
      body.put("sandbox", sandbox);
    }
    return Json.write(body);
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.MAPPER.readTree(response.body());
  }

  @Override
  public void close() {
    TestServices.closeAll(replicaB, replicaA, sandbox, redis, database);
  }

  /** A customer's agent as the proxy knows it. */
  record Agent(UUID customerId, UUID boxId, UUID tokenId, String token) {}
}
