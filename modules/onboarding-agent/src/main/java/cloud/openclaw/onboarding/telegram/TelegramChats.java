package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the setup bot remembers of each person's chat, in Redis so a restart neither resends nor
 * loses: the cursor in the conversation's log ({@code onboarding:tg-cursor:<userId>}, the id of the
 * last event rendered), the chat's state ({@code onboarding:tg-chat:<userId>}, a hash: the last
 * message sent and whether it has buttons, the progress message, the reply keyboard), and the set
 * of conversations with a Telegram chat ({@code onboarding:tg-active}). Kept {@link #TTL} after the
 * last change, as long as a conversation. And which updates were handed to the conversations
 * ({@code onboarding:tg-handed:<botId>:<updateId>}, a day), so one that comes again is skipped.
 */
final class TelegramChats {
  static final Duration TTL = Duration.ofDays(7);
  static final Duration HANDED_TTL = Duration.ofDays(1);

  // fields of the chat hash
  static final String LAST_MESSAGE = "last";
  static final String LAST_TEXT = "lastText";
  static final String LAST_HAS_BUTTONS = "lastButtons";
  static final String PROGRESS_MESSAGE = "progress";
  static final String KEYBOARD = "keyboard";
  static final String MANAGED_BOT_REQUEST = "managedBotRequest";

  /** The reply keyboard with the request_managed_bot button is shown. */
  static final String KEYBOARD_SHOWN = "shown";

  /** It is shown and the person answered it: the next plain message removes it. */
  static final String KEYBOARD_ANSWERED = "answered";

  private final Redis redis;

  TelegramChats(Redis redis) {
    this.redis = redis;
  }

  static String conversationKey(long userId) {
    return "tg:" + userId;
  }

  /** The id of the last event rendered in the person's chat, "0-0" before any. */
  String cursor(long userId) {
    String cursor = redis.client().get(cursorKey(userId));
    // "0-0", not "0": the stream id parser wants both parts
    return cursor == null ? "0-0" : cursor;
  }

  void saveCursor(long userId, String entryId) {
    redis.client().psetex(cursorKey(userId), TTL.toMillis(), entryId);
  }

  /** The chat's state: field → value (empty for a new chat). */
  Map<String, String> state(long userId) {
    return redis.client().hgetAll(chatKey(userId));
  }

  String field(long userId, String field) {
    return redis.client().hget(chatKey(userId), field);
  }

  void set(long userId, Map<String, String> fields) {
    String key = chatKey(userId);
    redis.client().hset(key, fields);
    redis.client().pexpire(key, TTL.toMillis());
  }

  void clear(long userId, String... fields) {
    redis.client().hdel(chatKey(userId), fields);
  }

  /** The person has a chat whose conversation may say more (rendered by the setup bot). */
  void activate(long userId) {
    redis.client().sadd(activeKey(), Long.toString(userId));
  }

  Set<Long> active() {
    return redis.client().smembers(activeKey()).stream()
        .map(Long::parseLong)
        .collect(Collectors.toSet());
  }

  /** The conversation is gone: its chat state too. */
  void forget(long userId) {
    redis.client().srem(activeKey(), Long.toString(userId));
    redis.client().del(cursorKey(userId), chatKey(userId));
  }

  /** Whether setup bot {@code botId}'s update {@code updateId} was handed already. */
  boolean handed(long botId, long updateId) {
    return redis.client().exists(handedKey(botId, updateId));
  }

  /** Marks the update handed, for as long as Telegram keeps unconfirmed updates (a day). */
  void markHanded(long botId, long updateId) {
    redis.client().psetex(handedKey(botId, updateId), HANDED_TTL.toMillis(), "1");
  }

  private String handedKey(long botId, long updateId) {
    return redis.key("onboarding", "tg-handed", Long.toString(botId), Long.toString(updateId));
  }

  private String cursorKey(long userId) {
    return redis.key("onboarding", "tg-cursor", Long.toString(userId));
  }

  private String chatKey(long userId) {
    return redis.key("onboarding", "tg-chat", Long.toString(userId));
  }

  private String activeKey() {
    return redis.key("onboarding", "tg-active");
  }
}
