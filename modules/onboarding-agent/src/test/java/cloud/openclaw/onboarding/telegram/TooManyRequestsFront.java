package cloud.openclaw.onboarding.telegram;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Telegram's flood control, which the sandbox's stand-in does not simulate: a pass-through to the
 * stand-in that answers the first call of each chosen Bot API method with Telegram's 429 ( {@code
 * parameters.retry_after} seconds), and records when each call came.
 */
final class TooManyRequestsFront implements AutoCloseable {
  record Call(String method, long atNanos, int status) {}

  private final HttpServer server;
  private final URI target;
  private final int retryAfter;
  private final Set<String> refuseOnce;
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  TooManyRequestsFront(URI target, int retryAfter, Set<String> refuseOnce) throws IOException {
    this.target = target;
    this.retryAfter = retryAfter;
    this.refuseOnce = refuseOnce;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::exchange);
    server.start();
  }

  URI root() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/telegram");
  }

  List<Call> calls(String method) {
    return calls.stream().filter(call -> call.method().equals(method)).toList();
  }

  private void exchange(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String method = path.substring(path.lastIndexOf('/') + 1);
    byte[] body = exchange.getRequestBody().readAllBytes();
    if (refuseOnce.contains(method) && refused.add(method)) {
      calls.add(new Call(method, System.nanoTime(), 429));
      answer(
          exchange,
          429,
          ("{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after "
                  + retryAfter
                  + "\",\"parameters\":{\"retry_after\":"
                  + retryAfter
                  + "}}")
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    calls.add(new Call(method, System.nanoTime(), 200));
    try {
      HttpResponse<byte[]> response =
          http.send(
              HttpRequest.newBuilder(target.resolve(path))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      answer(exchange, response.statusCode(), response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
    }
  }

  private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().putAll(Map.of("Content-Type", List.of("application/json")));
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
