package cloud.openclaw.platform.telegram;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A Telegram Message, the fields the platform reads.
 *
 * @param messageId its id in the chat
 * @param from the sender (null in channels)
 * @param chat the chat it is in
 * @param date when, in seconds since the epoch
 * @param text its text, or null (a service message such as managed_bot_created)
 * @param managedBotCreated the service message a person's new managed bot makes, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TelegramMessage(
    long messageId,
    TelegramUser from,
    Chat chat,
    long date,
    String text,
    ManagedBotCreated managedBotCreated) {

  /** The chat's id (in a private chat, the person's user id). */
  public long chatId() {
    return chat.id();
  }

  /** Whether this is a private chat with the sender (the only chats a setup bot works in). */
  public boolean isPrivate() {
    return chat != null && "private".equals(chat.type());
  }

  /**
   * A Telegram Chat: its id and type ("private", "group", "supergroup", "channel").
   *
   * @param id the chat's id
   * @param type its type
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Chat(long id, String type) {}

  /**
   * ManagedBotCreated: the bot a person created to be managed by this one (its token with
   * getManagedBotToken).
   *
   * @param bot the new bot
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ManagedBotCreated(TelegramUser bot) {}
}
