package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.onboarding.ConversationLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The conversation as the setup bot meets it, for testing the transport alone: it records the
 * inputs it is handed and answers each with the events its script gives (written to the
 * ConversationLog as the real conversation writes them). It stands at the boundary of the piece
 * under test (ConversationInput in, ConversationLog out), where the real conversation plugs in.
 */
final class ScriptedConversation implements ConversationInput {
  record Input(String key, ObjectNode input) {
    String type() {
      return input.path("type").asText();
    }
  }

  private final ConversationLog log;
  private final List<Input> inputs = new CopyOnWriteArrayList<>();
  private final Map<String, Function<ObjectNode, List<String>>> scripts = new ConcurrentHashMap<>();

  ScriptedConversation(ConversationLog log) {
    this.log = log;
  }

  /** What conversation {@code key} answers to an input: events (JSON), maybe none. */
  void script(String key, Function<ObjectNode, List<String>> script) {
    scripts.put(key, script);
  }

  @Override
  public void input(String conversationKey, ObjectNode input) {
    inputs.add(new Input(conversationKey, input.deepCopy()));
    scripts
        .getOrDefault(conversationKey, in -> List.of())
        .apply(input)
        .forEach(event -> log.append(conversationKey, event));
  }

  List<Input> inputs(String key) {
    return inputs.stream().filter(input -> input.key().equals(key)).toList();
  }

  static String message(String id, String text) {
    return json(Map.of("type", "message", "messageId", id, "text", text));
  }

  static String json(Object event) {
    try {
      return Json.MAPPER.writeValueAsString(event);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode tree(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
