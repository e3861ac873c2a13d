package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.onboarding.ConversationLog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the agent says, as the typed events of the conversation's {@link ConversationLog}: {@code
 * delta}, {@code message}, {@code choices}, {@code managed_bot}, {@code owner_link}, {@code
 * check_email}, {@code progress}, {@code live}, {@code error}.
 */
public final class ConversationEvents {
  private final ConversationLog log;

  public ConversationEvents(ConversationLog log) {
    this.log = log;
  }

  /** A choice offered with a question: the value sent back, and the button's label. */
  public record Option(String value, String label) {}

  public static String newMessageId() {
    return "m_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  public String last(String key) {
    return log.last(key);
  }

  public void delta(String key, String messageId, String text) {
    append(key, "delta", "messageId", messageId, "text", text);
  }

  public void message(String key, String messageId, String text) {
    append(key, "message", "messageId", messageId, "text", text);
  }

  public void choices(String key, Slot slot, List<Option> options) {
    append(key, "choices", "slot", slot.wireName(), "options", options);
  }

  public void managedBot(
      String key, String requestId, String suggestedName, String suggestedUsername) {
    append(
        key,
        "managed_bot",
        "requestId",
        requestId,
        "suggestedName",
        suggestedName,
        "suggestedUsername",
        suggestedUsername);
  }

  public void ownerLink(String key, String url) {
    append(key, "owner_link", "url", url);
  }

  /** The checkout link is in the mail at {@code email}. */
  public void checkEmail(String key, String email) {
    append(key, "check_email", "email", email);
  }

  public void progress(String key, String stage, String text) {
    append(key, "progress", "stage", stage, "text", text);
  }

  public void live(String key, String botUsername, String url) {
    append(key, "live", "botUsername", botUsername, "url", url);
  }

  public void error(String key, String code, String message) {
    append(key, "error", "code", code, "message", message);
  }

  private void append(String key, String type, Object... fields) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("type", type);
    for (int i = 0; i < fields.length; i += 2) {
      event.put((String) fields[i], fields[i + 1]);
    }
    log.append(key, Json.write(event));
  }
}
