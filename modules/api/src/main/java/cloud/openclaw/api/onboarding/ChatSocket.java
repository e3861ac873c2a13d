package cloud.openclaw.api.onboarding;

import cloud.openclaw.platform.errors.TooManyRequestsException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.onboarding.ConversationLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One web chat socket. The upgrade is accepted only when the request's {@code oc_onboarding} cookie
 * proves the session named in the path. Once open, one virtual thread reads the conversation's log
 * (blocking) from the client's cursor and sends each event as {@code {"id", ...event}}; it ends
 * when the socket closes. Client frames are relayed to the onboarding agent, within the per-session
 * and per-address limits. A frame over {@value #MAX_FRAME_BYTES} bytes, a binary frame or a
 * malformed one closes the socket with a reason; nothing a client sends is a server error.
 */
final class ChatSocket implements WsListener {
  static final int MAX_FRAME_BYTES = 8 * 1024;
  private static final int READ_COUNT = 100;
  private static final Logger LOG = Logger.getLogger(ChatSocket.class.getName());

  private final ChatRelay relay;
  private final StringBuilder message = new StringBuilder();
  private final AtomicReference<String> resumeFrom = new AtomicReference<>();
  private final AtomicBoolean holdsSlot = new AtomicBoolean();
  private volatile boolean open;
  private String sessionId;
  private String clientIp;
  private String after = "0";
  private String refusal;

  ChatSocket(ChatRelay relay) {
    this.relay = relay;
  }

  /**
   * Judges the upgrade. A refusal is not thrown here: Helidon would answer it with an empty 400.
   * The socket opens and is closed at once with 1008 (policy violation) and the reason, before
   * anything of the conversation is read.
   */
  @Override
  public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
    String path = prologue.uriPath().path();
    sessionId = path.substring(path.lastIndexOf('/') + 1);
    Optional<String> origin = headers.first(HeaderNames.ORIGIN);
    String cookie =
        WebSessions.cookieValue(headers.first(HeaderNames.COOKIE).orElse(null), WebSessions.COOKIE);
    if (origin.isPresent() && !origin.get().equals(relay.origin)) {
      refusal = "another site's page may not open this chat";
    } else if (!relay.sessions.proves(cookie, sessionId)) {
      refusal = "this chat belongs to another browser: start one with POST /onboarding/sessions";
    }
    if (!relay.clientIpHeader.isEmpty()) {
      clientIp =
          headers
              .first(HeaderNames.create(relay.clientIpHeader))
              .map(value -> value.split(",")[0].strip())
              .filter(value -> !value.isEmpty())
              .orElse(null);
    }
    Optional<String> cursor = prologue.query().first("after").asOptional();
    if (cursor.isPresent() && refusal == null) {
      try {
        after = ChatFrame.cursor(cursor.get());
      } catch (ChatFrame.Malformed e) {
        refusal = e.getMessage();
      }
    }
    return Optional.empty();
  }

  @Override
  public void onOpen(WsSession session) {
    if (refusal != null) {
      session.close(WsCloseCodes.VIOLATED_POLICY, refusal);
      return;
    }
    if (!relay.sockets.tryAcquire()) {
      session.close(WsCloseCodes.TRY_AGAIN_LATER, "too many chats are open: try again shortly");
      return;
    }
    holdsSlot.set(true);
    if (clientIp == null) {
      clientIp =
          session.socketContext().remotePeer().address() instanceof InetSocketAddress address
              ? address.getAddress().getHostAddress()
              : session.socketContext().remotePeer().host();
    }
    open = true;
    Thread.ofVirtual().name("onboarding-chat-" + sessionId).start(() -> relayEvents(session));
  }

  /** Sends the conversation's events from the client's cursor until the socket closes. */
  private void relayEvents(WsSession session) {
    String conversation = WebSessions.conversation(sessionId);
    String cursor = after;
    try {
      while (open) {
        String resume = resumeFrom.getAndSet(null);
        if (resume != null) {
          cursor = resume;
        }
        List<ConversationLog.Entry> entries =
            relay.log.read(conversation, cursor, READ_COUNT, ChatRelay.BLOCK);
        if (resumeFrom.get() != null) {
          continue; // the client asked to start elsewhere while this read waited
        }
        for (ConversationLog.Entry entry : entries) {
          if (!open) {
            return;
          }
          send(session, frame(entry));
          cursor = entry.id();
        }
      }
    } catch (RuntimeException e) {
      if (open) {
        LOG.log(Level.WARNING, "the chat of a web session stopped reading its events", e);
        close(session, WsCloseCodes.TRY_AGAIN_LATER, "the chat is unavailable: reconnect");
      }
    } finally {
      stop();
    }
  }

  /** An event as the client gets it: its log id first, then its own fields. */
  private static String frame(ConversationLog.Entry entry) {
    ObjectNode frame = Json.MAPPER.createObjectNode();
    frame.put("id", entry.id());
    try {
      JsonNode event = Json.MAPPER.readTree(entry.json());
      if (event instanceof ObjectNode fields) {
        fields.remove("id");
        frame.setAll(fields);
      }
    } catch (IOException e) {
      frame.put("type", "error");
      frame.put("code", "unreadable_event");
    }
    return frame.toString();
  }

  @Override
  public void onMessage(WsSession session, String text, boolean last) {
    if (!open) {
      return;
    }
    if (utf8Length(message) + utf8Length(text) > MAX_FRAME_BYTES) {
      close(session, WsCloseCodes.TOO_BIG, "a message is at most 8 KiB");
      return;
    }
    message.append(text);
    if (!last) {
      return;
    }
    String whole = message.toString();
    message.setLength(0);
    ChatFrame frame;
    try {
      frame = ChatFrame.parse(whole);
    } catch (ChatFrame.Malformed e) {
      close(session, e.closeCode(), e.getMessage());
      return;
    }
    try {
      relay.perSession.count(sessionId, "too many messages in this chat: slow down");
      relay.perIp.count(clientIp, "too many messages from this address: slow down");
    } catch (TooManyRequestsException e) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("type", "error");
      error.put("code", "rate_limited");
      error.put("message", e.getMessage());
      error.put("retryAfter", e.retryAfter().toSeconds());
      send(session, Json.write(error));
      return;
    }
    switch (frame) {
      case ChatFrame.Resume resume -> resumeFrom.set(resume.after());
      case ChatFrame.Input input -> relay(session, input);
    }
  }

  private void relay(WsSession session, ChatFrame.Input input) {
    AgentInput.Outcome outcome =
        relay.input.send(WebSessions.conversation(sessionId), input.body());
    if (!outcome.accepted()) {
      send(
          session,
          Json.write(
              Map.of("type", "error", "code", outcome.code(), "message", outcome.message())));
    }
  }

  @Override
  public void onMessage(WsSession session, BufferData buffer, boolean last) {
    close(session, WsCloseCodes.CANNOT_ACCEPT, "frames are JSON text, not binary");
  }

  @Override
  public void onClose(WsSession session, int status, String reason) {
    stop();
  }

  @Override
  public void onError(WsSession session, Throwable t) {
    stop();
  }

  /**
   * Ends the socket's reader (it sees this within {@link ChatRelay#BLOCK}) and gives its slot back
   * at once, so that a client reconnecting is not refused meanwhile (its reader may wait that long
   * for a Redis connection).
   */
  private void stop() {
    open = false;
    if (holdsSlot.compareAndSet(true, false)) {
      relay.sockets.release();
    }
  }

  private void close(WsSession session, int code, String reason) {
    stop();
    try {
      session.close(code, reason);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "closing a chat socket that was gone", e);
    }
  }

  private void send(WsSession session, String json) {
    try {
      session.send(json, true);
    } catch (RuntimeException e) {
      open = false;
    }
  }

  private static int utf8Length(CharSequence text) {
    return text.toString().getBytes(StandardCharsets.UTF_8).length;
  }
}
