package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.onboarding.conversation.Conversations;
import cloud.openclaw.onboarding.conversation.Input;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.TooManyRequestsException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The setup bot's inputs, taken by the conversation itself (same JVM): the key says who the owner
 * is ({@code tg:<sender>}), a managed bot is a bot token like a pasted one (checked with getMe
 * alike). What the conversation refuses is said in the chat, as an error event.
 */
public final class ConversationsInput implements ConversationInput {
  private final Conversations conversations;

  public ConversationsInput(Conversations conversations) {
    this.conversations = conversations;
  }

  @Override
  public void input(String conversationKey, ObjectNode input) {
    try {
      conversations.input(conversationKey, of(input));
    } catch (TooManyRequestsException e) {
      conversations.refused(
          conversationKey,
          "too_many_messages",
          "That is more messages than I can read at once: wait a minute, then carry on.");
    } catch (InvalidInputException e) {
      conversations.refused(conversationKey, "invalid_input", e.getMessage());
    }
  }

  static Input of(ObjectNode input) {
    return switch (input.path("type").asText()) {
      case "choice" -> new Input.Choice(input.path("slot").asText(), input.path("value").asText());
      case "bot_token", "managed_bot" -> new Input.BotToken(input.path("token").asText());
      default -> new Input.Text(input.path("text").asText());
    };
  }
}
