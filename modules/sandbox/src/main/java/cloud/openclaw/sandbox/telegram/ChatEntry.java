package cloud.openclaw.sandbox.telegram;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One thing that happened in a chat, as {@code GET /telegram/_sandbox/bots/{botId}/chats/{chatId}}
 * lists it: a message from the person or the bot, a chat action ("typing") the bot sent, or the
 * person's press of an inline button (a callback query). A message deleteMessage removed is gone.
 *
 * @param seq the entry's position in the chat, from 1, strictly increasing
 * @param kind a message or a chat action
 * @param sender who sent it
 * @param messageId the message's id (0 for a chat action)
 * @param date when, in seconds since the epoch
 * @param text the message's text as Telegram shows it (for parse_mode HTML, without the tags); null
 *     for a chat action
 * @param rawText the text as the sender sent it, before any parse_mode
 * @param parseMode the parse_mode the bot gave, or null
 * @param action the chat action ("typing", ...), or null for a message
 * @param replyToMessageId the message this one answers, or null
 * @param editDate when editMessageText last changed it, or null
 * @param reactions the bot's reactions to the message (setMessageReaction): emoji, or custom emoji
 *     ids; empty for none
 * @param replyMarkup the reply_markup the bot sent with the message (inline keyboard, reply
 *     keyboard, keyboard removal, force reply) as Telegram's JSON, or null
 * @param managedBotCreated for the service message a person's new managed bot makes: Telegram's
 *     ManagedBotCreated ({@code {"bot": User}}); else null (the message has no text then)
 * @param callbackQueryId for a callback query: its id (answerCallbackQuery's callback_query_id)
 * @param callbackData for a callback query: the pressed button's callback_data ({@code messageId}
 *     is the message the button is on)
 * @param callbackAnswer for a callback query: the text answerCallbackQuery gave ("" for none), or
 *     null while it is not answered
 */
public record ChatEntry(
    long seq,
    Kind kind,
    Sender sender,
    long messageId,
    long date,
    String text,
    String rawText,
    String parseMode,
    String action,
    Long replyToMessageId,
    Long editDate,
    List<String> reactions,
    JsonNode replyMarkup,
    JsonNode managedBotCreated,
    String callbackQueryId,
    String callbackData,
    String callbackAnswer) {

  public ChatEntry {
    reactions = List.copyOf(reactions);
  }

  /** What the entry is. */
  public enum Kind {
    @JsonProperty("message")
    MESSAGE,
    @JsonProperty("chat_action")
    CHAT_ACTION,
    @JsonProperty("callback_query")
    CALLBACK_QUERY
  }

  /** Who sent it. */
  public enum Sender {
    @JsonProperty("user")
    USER,
    @JsonProperty("bot")
    BOT
  }

  /** Whether this is a message the bot sent. */
  @JsonIgnore
  public boolean isBotMessage() {
    return kind == Kind.MESSAGE && sender == Sender.BOT;
  }
}
