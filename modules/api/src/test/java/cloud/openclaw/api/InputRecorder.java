package cloud.openclaw.api;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for the onboarding agent's input endpoint ({@code POST /conversations/{key}/input}) in
 * the api's relay tests only: the agent is another service, written on its own, and these tests are
 * about what the relay sends it, so this records each POST and answers 202 (or the refusal it is
 * told to give). Not a model of the agent's conversation: that is tested in its own module.
 */
final class InputRecorder implements AutoCloseable {
  /** One POST as received. */
  record Posted(String path, String authorization, String requestId, JsonNode body) {}

  private final HttpServer server;
  private final List<Posted> posted = new CopyOnWriteArrayList<>();
  private volatile int status = 202;
  private volatile String answer = "{\"after\":\"0\"}";

  InputRecorder() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/conversations/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Posted> posted() {
    return List.copyOf(posted);
  }

  /** The next answers: this status and JSON body. */
  void answer(int status, String json) {
    this.status = status;
    this.answer = json;
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    posted.add(
        new Posted(
            exchange.getRequestURI().getRawPath(),
            exchange.getRequestHeaders().getFirst("Authorization"),
            exchange.getRequestHeaders().getFirst("X-Request-Id"),
            Json.MAPPER.readTree(body)));
    byte[] reply = answer.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, reply.length);
    exchange.getResponseBody().write(reply);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
