package cloud.openclaw.sandbox.telegram;

/**
 * A message from a simulated person, as queued for the bot's getUpdates: update {@code updateId}
 * carrying message {@code messageId} of the private chat {@code chatId} (the person's id).
 *
 * @param updateId the update's id, strictly increasing per bot
 * @param chatId the chat the message is in
 * @param messageId the message's id in that chat
 * @param date when it was sent, in seconds since the epoch
 * @param from who sent it
 * @param text what they wrote
 */
public record Update(
    long updateId, long chatId, long messageId, long date, User from, String text) {}
