package cloud.openclaw.onboarding;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for our own api's {@code POST /signup} at the onboarding agent's boundary: it records
 * every call and answers as docs/api.md documents it (201 {@code {customerId, boxId, botUsername,
 * checkoutSessionId, checkoutUrl}}; the same Idempotency-Key gets the same checkout). The api is
 * another service with its own tests (SignupIT); standing it in is acceptable only in these unit
 * tests of the onboarding agent, which must not start the api's routing. The end-to-end test runs
 * the real api.
 */
final class SignupStandIn implements AutoCloseable {
  /** One call as received. */
  record Call(String idempotencyKey, JsonNode body) {}

  private final HttpServer server;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, String> checkouts = new ConcurrentHashMap<>();
  private final String customerId = UUID.randomUUID().toString();
  private final String boxId = UUID.randomUUID().toString();
  private volatile int failWith;
  private volatile String refuseField;

  SignupStandIn() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/signup", this::signup);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  String customerId() {
    return customerId;
  }

  String boxId() {
    return boxId;
  }

  /** Answers every call with {@code status} (0: normally again). */
  void failWith(int status) {
    failWith = status;
  }

  /** Refuses every call with 400 naming {@code field} (null: accepts again). */
  void refuse(String field) {
    refuseField = field;
  }

  private void signup(HttpExchange exchange) throws IOException {
    JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
    String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
    calls.add(new Call(key, body));
    try {
      Thread.sleep(200); // a checkout takes a while: concurrent confirms overlap
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failWith != 0) {
      send(exchange, failWith, Map.of("error", Map.of("code", "internal_error", "message", "x")));
      return;
    }
    if (refuseField != null) {
      send(
          exchange,
          400,
          Map.of(
              "error",
              Map.of(
                  "code",
                  "invalid_input",
                  "message",
                  "'" + refuseField + "' was refused",
                  "field",
                  refuseField)));
      return;
    }
    String session =
        checkouts.computeIfAbsent(
            key == null ? UUID.randomUUID().toString() : key,
            k -> "cs_test_" + UUID.randomUUID().toString().replace("-", ""));
    send(
        exchange,
        201,
        Map.of(
            "customerId",
            customerId,
            "boxId",
            boxId,
            "botUsername",
            body.path("botUsername").asText("bot"),
            "checkoutSessionId",
            session,
            "checkoutUrl",
            "http://checkout.test/" + session));
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
