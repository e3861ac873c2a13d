package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.onboarding.ConversationLog;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The web chat relay: a session bound to the browser's cookie, the conversation's events as frames
 * (replayed after a reconnect), the client's frames relayed to the onboarding agent, and frames
 * that close the socket.
 */
@ServerTest
class OnboardingChatIT {
  static final String AGENT_TOKEN = "onboarding-token-for-tests";
  static InputRecorder agent;
  static ApiFixture api;
  static ConversationLog log;
  private final URI uri;
  private final ApiClient client;

  OnboardingChatIT(URI uri) {
    this.uri = uri;
    client = new ApiClient(uri);
  }

  @SetUpServer
  static void server(WebServerConfig.Builder server) {
    agent = new InputRecorder();
    api =
        ApiFixture.start(
            OnboardingChatIT.class,
            Map.of(
                "api.onboarding.url", agent.url(), "api.onboarding.internal-token", AGENT_TOKEN));
    api.server(server);
    log = new ConversationLog(api.redis, Duration.ofDays(7));
  }

  @AfterStop
  static void stop() {
    api.close();
    agent.close();
  }

  /** A started session: its id and the Cookie header that proves it. */
  record Session(String id, String cookie) {}

  Session session() {
    ApiClient.Answer answer = client.post("/onboarding/sessions", null, null);
    assertThat(answer.status()).as(answer.body()).isEqualTo(201);
    String setCookie = answer.response().headers().firstValue("Set-Cookie").orElseThrow();
    return new Session(
        answer.json().path("sessionId").asText(), setCookie.substring(0, setCookie.indexOf(';')));
  }

  ChatClient open(Session session, String query) {
    return ChatClient.open(uri, "/onboarding/chat/" + session.id() + query, session.cookie());
  }

  static String event(String type, String text) {
    return "{\"type\":\"" + type + "\",\"messageId\":\"m1\",\"text\":\"" + text + "\"}";
  }

  @Test
  void aSessionIsBoundToAnHttpOnlyCookieAndResumedWithIt() {
    ApiClient.Answer answer = client.post("/onboarding/sessions", null, null);

    assertThat(answer.status()).isEqualTo(201);
    String sessionId = answer.json().path("sessionId").asText();
    assertThat(sessionId).hasSizeGreaterThanOrEqualTo(20);
    String setCookie = answer.response().headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie)
        .startsWith("oc_onboarding=" + sessionId + ".")
        .contains("HttpOnly", "SameSite=Lax", "Path=/onboarding", "Secure");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));

    // Another tab of the same browser: the same conversation.
    ApiClient.Answer again =
        client.send(
            client
                .request("/onboarding/sessions")
                .header("Cookie", cookie)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().path("sessionId").asText()).isEqualTo(sessionId);
    assertThat(again.json().path("resumed").asBoolean()).isTrue();
  }

  @Test
  void aSocketWithoutTheSessionsCookieGetsNothing() throws Exception {
    Session mine = session();
    Session other = session();
    log.append("web:" + other.id(), event("message", "secret plans"));

    // Another session's id with my cookie, no cookie, a forged secret, a guessed id.
    for (String[] attempt :
        new String[][] {
          {other.id(), mine.cookie()},
          {other.id(), null},
          {other.id(), "oc_onboarding=" + other.id() + ".forged"},
          {"guessed-session-id", mine.cookie()}
        }) {
      ChatClient chat = ChatClient.open(uri, "/onboarding/chat/" + attempt[0], attempt[1]);
      ChatClient.Closed closed = chat.closed.get(10, TimeUnit.SECONDS);
      assertThat(closed.code()).isEqualTo(1008);
      assertThat(closed.reason()).contains("another browser");
      assertThat(chat.frames).isEmpty();
    }
    // A page of another site, even with the right cookie (a browser would send it along): Helidon
    // refuses an Origin that is not the Host's at the handshake (403), before our own check.
    assertThatThrownBy(
            () ->
                ChatClient.open(
                    uri, "/onboarding/chat/" + other.id(), other.cookie(), "https://evil.example"))
        .rootCause()
        .hasMessageContaining("403");
    // The right cookie: the conversation.
    ChatClient owner = open(other, "");
    await().atMost(10, TimeUnit.SECONDS).until(() -> owner.frames.size() == 1);
    owner.close();
    ApiClient.Answer plain = client.get("/onboarding/chat/" + other.id(), null);
    assertThat(plain.status()).isEqualTo(403);
    assertThat(plain.code()).isEqualTo("forbidden");
  }

  @Test
  void eventsArriveInOrderAndAReconnectReplaysWhatWasMissed() throws Exception {
    Session session = session();
    String conversation = "web:" + session.id();
    String first = log.append(conversation, event("message", "What is your agent for?"));
    log.append(conversation, "{\"type\":\"choices\",\"slot\":\"plan\",\"options\":[]}");

    ChatClient chat = open(session, "");
    await().atMost(10, TimeUnit.SECONDS).until(() -> chat.frames.size() == 2);
    String third = log.append(conversation, event("delta", "Thanks"));
    await().atMost(10, TimeUnit.SECONDS).until(() -> chat.frames.size() == 3);
    assertThat(chat.frames.get(0).path("id").asText()).isEqualTo(first);
    assertThat(chat.frames.get(0).path("text").asText()).isEqualTo("What is your agent for?");
    assertThat(chat.frames.get(1).path("slot").asText()).isEqualTo("plan");
    assertThat(chat.frames.get(2).path("id").asText()).isEqualTo(third);
    chat.close();

    log.append(conversation, event("message", "missed while away"));
    ChatClient back = open(session, "?after=" + third);
    await().atMost(10, TimeUnit.SECONDS).until(() -> back.frames.size() == 1);
    assertThat(back.frames.getFirst().path("text").asText()).isEqualTo("missed while away");

    // A resume frame rewinds the same socket: everything after the first event again.
    back.send(Map.of("type", "resume", "after", first));
    await().atMost(10, TimeUnit.SECONDS).until(() -> back.frames.size() == 4);
    assertThat(back.frames.subList(1, 4).stream().map(frame -> frame.path("type").asText()))
        .containsExactly("choices", "delta", "message");
    back.close();
  }

  @Test
  void theClientsFramesAreRelayedToTheOnboardingAgent() {
    Session session = session();
    ChatClient chat = open(session, "");
    int before = agent.posted().size();

    chat.send(Map.of("type", "start"));
    chat.send(Map.of("type", "text", "text", "A tutor for my kids"));
    chat.send(Map.of("type", "choice", "slot", "plan", "value", "starter"));
    chat.send(Map.of("type", "bot_token", "token", "123:AAHtoken"));

    await().atMost(10, TimeUnit.SECONDS).until(() -> agent.posted().size() == before + 4);
    List<InputRecorder.Posted> posted =
        agent.posted().stream()
            .filter(post -> post.path().equals("/conversations/web:" + session.id() + "/input"))
            .toList();
    assertThat(posted).hasSize(4);
    assertThat(posted)
        .allSatisfy(post -> assertThat(post.authorization()).isEqualTo("Bearer " + AGENT_TOKEN));
    // A frame is no HTTP request: each gets an id of its own, which the agent's lines then carry.
    assertThat(posted.stream().map(InputRecorder.Posted::requestId))
        .allSatisfy(id -> assertThat(id).matches("[0-9a-f]{16}"))
        .doesNotHaveDuplicates();
    assertThat(posted.get(0).body().toString()).isEqualTo("{\"type\":\"start\"}");
    assertThat(posted.get(1).body().toString())
        .isEqualTo("{\"type\":\"text\",\"text\":\"A tutor for my kids\"}");
    assertThat(posted.get(2).body().path("slot").asText()).isEqualTo("plan");
    assertThat(posted.get(3).body().path("token").asText()).isEqualTo("123:AAHtoken");
    chat.close();
  }

  @Test
  void theAgentsRefusalIsAnErrorFrame() {
    Session session = session();
    ChatClient chat = open(session, "");
    agent.answer(400, "{\"error\":{\"code\":\"invalid_input\",\"message\":\"no such slot\"}}");
    try {
      chat.send(Map.of("type", "choice", "slot", "colour", "value", "red"));
      await().atMost(10, TimeUnit.SECONDS).until(() -> !chat.ofType("error").isEmpty());
    } finally {
      agent.answer(202, "{\"after\":\"0\"}");
    }
    JsonNode error = chat.ofType("error").getFirst();
    assertThat(error.path("code").asText()).isEqualTo("invalid_input");
    assertThat(error.path("message").asText()).isEqualTo("no such slot");
    assertThat(chat.closed).isNotDone();
    chat.close();
  }

  @Test
  void badFramesCloseTheSocketWithAReason() throws Exception {
    Session session = session();
    assertClosed(open(session, ""), "x".repeat(9 * 1024), 1009);
    assertClosed(open(session, ""), "{not json", 1007);
    assertClosed(open(session, ""), "{\"type\":\"shout\",\"text\":\"hi\"}", 1008);
    assertClosed(open(session, ""), "{\"type\":\"text\",\"text\":42}", 1008);
    assertClosed(open(session, ""), "{\"type\":\"start\",\"text\":\"hi\"}", 1008);
    assertClosed(open(session, ""), "[1,2]", 1008);
    ChatClient binary = open(session, "");
    binary.sendBinary(new byte[] {1, 2, 3});
    assertThat(binary.closed.get(10, TimeUnit.SECONDS).code()).isEqualTo(1003);

    // The server goes on: a new socket of the session works.
    ChatClient fine = open(session, "");
    log.append("web:" + session.id(), event("message", "still here"));
    await()
        .atMost(10, TimeUnit.SECONDS)
        .alias("a frame; closed: " + fine.closed)
        .until(() -> !fine.frames.isEmpty());
    fine.close();
  }

  private static void assertClosed(ChatClient chat, String frame, int code) throws Exception {
    chat.send(frame);
    ChatClient.Closed closed = chat.closed.get(10, TimeUnit.SECONDS);
    assertThat(closed.code()).as(frame.substring(0, Math.min(frame.length(), 40))).isEqualTo(code);
    assertThat(closed.reason()).isNotBlank();
  }
}
