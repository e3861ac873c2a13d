package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A person in the api's web chat, as a browser page would be: a session (its cookie), the
 * WebSocket, every frame the agent sends kept in order.
 */
final class WebChat implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final String sessionId;
  private final WebSocket socket;
  private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  private int seen;

  private WebChat(String api, String sessionId, String cookie) throws Exception {
    this.sessionId = sessionId;
    StringBuilder text = new StringBuilder();
    this.socket =
        HTTP.newWebSocketBuilder()
            .header("Cookie", cookie)
            .buildAsync(
                URI.create(api.replaceFirst("^http", "ws") + "/onboarding/chat/" + sessionId),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      try {
                        frames.add(Json.MAPPER.readTree(text.toString()));
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                      text.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
  }

  /** Opens a chat session at the api (its cookie) and the chat's socket. */
  static WebChat open(String api) throws Exception {
    HttpResponse<String> created =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api + "/onboarding/sessions"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String cookie =
        created.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0].strip();
    return new WebChat(
        api, Json.MAPPER.readTree(created.body()).path("sessionId").asText(), cookie);
  }

  String conversation() {
    return "web:" + sessionId;
  }

  void send(Map<String, ?> frame) {
    socket.sendText(Json.write(frame), true).join();
  }

  void say(String text) {
    send(Map.of("type", "text", "text", text));
  }

  void choose(String slot, String value) {
    send(Map.of("type", "choice", "slot", slot, "value", value));
  }

  /** The next frame of {@code type} after those already taken; waits for it. */
  JsonNode next(String type, Duration patience) {
    int[] found = {-1};
    await()
        .atMost(patience)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              for (int i = seen; i < frames.size(); i++) {
                if (frames.get(i).path("type").asText().equals(type)) {
                  found[0] = i;
                  return true;
                }
              }
              return false;
            });
    seen = found[0] + 1;
    return frames.get(found[0]);
  }

  JsonNode next(String type) {
    return next(type, Duration.ofSeconds(30));
  }

  /** Every frame so far. */
  List<JsonNode> frames() {
    return List.copyOf(frames);
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS);
  }
}
