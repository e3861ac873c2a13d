package cloud.openclaw.api;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A web chat socket as a browser opens it (with its cookie), and what it received. */
final class ChatClient implements WebSocket.Listener {
  /** How the server closed the socket. */
  record Closed(int code, String reason) {}

  final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;

  /** Opens {@code path} on the server with the cookie header (null: none). */
  static ChatClient open(URI server, String path, String cookie) {
    return open(server, path, cookie, null);
  }

  /** Opens {@code path} as a page of {@code origin} would (null: no Origin, as a non-browser). */
  static ChatClient open(URI server, String path, String cookie, String origin) {
    ChatClient client = new ChatClient();
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
    if (cookie != null) {
      builder.header("Cookie", cookie);
    }
    if (origin != null) {
      builder.header("Origin", origin);
    }
    try {
      client.socket =
          builder
              .buildAsync(URI.create("ws://" + server.getAuthority() + path), client)
              .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the socket did not open", e);
    }
    return client;
  }

  void send(String text) {
    socket.sendText(text, true).join();
  }

  void send(Object frame) {
    send(Json.write(frame));
  }

  void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }
  }

  /** The text of the frames of this type received so far. */
  List<JsonNode> ofType(String type) {
    return frames.stream().filter(frame -> type.equals(frame.path("type").asText())).toList();
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        frames.add(Json.MAPPER.readTree(partial.toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(new Closed(statusCode, reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }
}
