package cloud.openclaw.platform.telegram;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A Telegram Update of the kinds the platform asks for; at most one of the parts is set (others,
 * such as edited_message, leave all three null).
 *
 * @param updateId its id; getUpdates with offset {@code updateId + 1} confirms it
 * @param message a new message, or null
 * @param callbackQuery a press of an inline button, or null
 * @param managedBot a bot managed by this one was created or its token replaced, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TelegramUpdate(
    long updateId,
    TelegramMessage message,
    CallbackQuery callbackQuery,
    ManagedBotUpdated managedBot) {

  /**
   * A CallbackQuery: a person pressed an inline button; answer it with answerCallbackQuery.
   *
   * @param id the query's id
   * @param from who pressed
   * @param message the bot's message the button is on (null when too old)
   * @param data the button's callback_data
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CallbackQuery(String id, TelegramUser from, TelegramMessage message, String data) {}

  /**
   * ManagedBotUpdated: a person created a bot managed by this one, or its token changed.
   *
   * @param user the person who created (owns) the bot
   * @param bot the managed bot; its token with getManagedBotToken
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ManagedBotUpdated(TelegramUser user, TelegramUser bot) {}
}
