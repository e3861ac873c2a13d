package cloud.openclaw.sandbox.telegram;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A bot and its counters, as {@code GET /telegram/_sandbox/bots} lists them.
 *
 * @param id the bot's user id
 * @param username its username
 * @param firstName its display name
 * @param token its token
 * @param revoked whether its token is revoked (every Bot API call is 401)
 * @param polls getUpdates calls answered or open
 * @param updates updates made for it (messages from simulated people)
 * @param sent messages it sent (sendMessage calls that succeeded)
 * @param pending updates waiting to be confirmed by getUpdates
 * @param polling whether a long poll is open now
 * @param webhookUrl the webhook set with setWebhook, or "" for none
 * @param chats the number of chats it has
 * @param calls Bot API calls by method (unknown methods as sent), so tests can check a sequence
 * @param commands the command names of its default command list (setMyCommands without scope or
 *     language)
 * @param firstPollAt when it first called getUpdates, or null if it never did (how long a new agent
 *     took to come up)
 * @param managerBotId for a managed bot, the bot that manages it (getManagedBotToken); else null
 * @param ownerId for a managed bot, the person who created it; else null
 */
public record BotStats(
    long id,
    String username,
    String firstName,
    String token,
    boolean revoked,
    long polls,
    long updates,
    long sent,
    int pending,
    boolean polling,
    String webhookUrl,
    int chats,
    Map<String, Long> calls,
    List<String> commands,
    Instant firstPollAt,
    Long managerBotId,
    Long ownerId) {}
