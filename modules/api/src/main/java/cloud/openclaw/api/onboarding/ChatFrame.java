package cloud.openclaw.api.onboarding;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.websocket.WsCloseCodes;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One frame a web chat client sends (JSON): {@code {"type":"start"}} (the page opened: greets a new
 * conversation, repeats the open question of one resumed), {@code {"type":"text","text"}}, {@code
 * {"type":"choice","slot","value"}}, {@code {"type":"bot_token","token"}} (each relayed to the
 * onboarding agent) or {@code {"type":"resume","after"}} (read the conversation from that event
 * on). Anything else is malformed.
 */
sealed interface ChatFrame {
  /** Longest text, slot, value or token a frame may carry (the frame itself is capped too). */
  int MAX_FIELD = 4_000;

  /** An input for the onboarding agent, in the agent's own shape. */
  record Input(Map<String, Object> body) implements ChatFrame {}

  /** Read the conversation after this event id ("0": from the start). */
  record Resume(String after) implements ChatFrame {}

  /** Why a frame is refused, and the close code that says so. */
  final class Malformed extends Exception {
    private final int closeCode;

    Malformed(int closeCode, String reason) {
      super(reason, null, false, false);
      this.closeCode = closeCode;
    }

    /** Why a frame is refused: well-formed JSON that is no frame of the protocol. */
    Malformed(String reason) {
      this(WsCloseCodes.VIOLATED_POLICY, reason);
    }

    int closeCode() {
      return closeCode;
    }
  }

  static ChatFrame parse(String text) throws Malformed {
    JsonNode frame;
    try {
      frame = Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new Malformed(WsCloseCodes.NOT_CONSISTENT, "a frame is one JSON object");
    }
    if (frame == null || !frame.isObject()) {
      throw new Malformed("a frame is one JSON object");
    }
    String type = frame.path("type").asText("");
    return switch (type) {
      case "start" -> input(frame, "start");
      case "text" -> input(frame, "text", "text");
      case "choice" -> input(frame, "choice", "slot", "value");
      case "bot_token" -> input(frame, "bot_token", "token");
      case "resume" -> new Resume(eventId(frame.path("after")));
      default -> throw new Malformed("unknown frame type '" + abbreviate(type) + "'");
    };
  }

  private static Input input(JsonNode frame, String type, String... fields) throws Malformed {
    if (frame.size() != fields.length + 1) {
      throw new Malformed(
          fields.length == 0
              ? "a " + type + " frame has the field type only"
              : "a " + type + " frame has the fields type and " + String.join(", ", fields));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", type);
    for (String field : fields) {
      JsonNode value = frame.get(field);
      if (value == null || !value.isTextual() || value.asText().isBlank()) {
        throw new Malformed("'" + field + "' must be a non-empty string");
      }
      if (value.asText().length() > MAX_FIELD) {
        throw new Malformed("'" + field + "' is longer than " + MAX_FIELD + " characters");
      }
      body.put(field, value.asText());
    }
    return new Input(body);
  }

  private static String eventId(JsonNode after) throws Malformed {
    if (after.isMissingNode() || after.isNull()) {
      return "0";
    }
    if (!after.isTextual()) {
      throw new Malformed("'after' must be an event id");
    }
    return cursor(after.asText());
  }

  /** A client's cursor: an event id ({@code <millis>-<seq>}) or "0" (from the start). */
  static String cursor(String id) throws Malformed {
    if (!id.matches("0|\\d{1,20}-\\d{1,20}")) {
      throw new Malformed("'after' must be an event id");
    }
    return id;
  }

  private static String abbreviate(String value) {
    return value.length() > 40 ? value.substring(0, 40) + "…" : value;
  }
}
