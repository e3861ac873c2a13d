package cloud.openclaw.sandbox.telegram;

/**
 * A person's press of an inline button, as queued for the bot's getUpdates (a callback_query
 * update).
 *
 * @param id the callback query's id, which answerCallbackQuery takes as callback_query_id
 * @param updateId the update carrying it
 * @param messageId the bot's message the button is on
 * @param data the button's callback_data
 */
public record CallbackQuery(String id, long updateId, long messageId, String data) {}
