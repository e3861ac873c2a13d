package cloud.openclaw.sandbox.telegram;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One thing that happened in a chat, as {@code GET /telegram/_sandbox/bots/{botId}/chats/{chatId}}
 * lists it: a message from the person or the bot, or a chat action ("typing") the bot sent.
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
 * @param deleted whether deleteMessage removed it (it stays listed)
 * @param reactions the bot's reactions to the message (setMessageReaction): emoji, or custom emoji
 *     ids; empty for none
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
    boolean deleted,
    List<String> reactions) {

  public ChatEntry {
    reactions = List.copyOf(reactions);
  }

  /** What the entry is. */
  public enum Kind {
    @JsonProperty("message")
    MESSAGE,
    @JsonProperty("chat_action")
    CHAT_ACTION
  }

  /** Who sent it. */
  public enum Sender {
    @JsonProperty("user")
    USER,
    @JsonProperty("bot")
    BOT
  }

  /** Whether this is a message the bot sent (and has not deleted). */
  @JsonIgnore
  public boolean isBotMessage() {
    return kind == Kind.MESSAGE && sender == Sender.BOT && !deleted;
  }
}
