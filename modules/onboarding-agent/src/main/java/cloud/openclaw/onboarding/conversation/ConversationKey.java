package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.InvalidInputException;
import java.util.regex.Pattern;

/** A conversation's key: {@code web:<sessionId>} or {@code tg:<telegramUserId>}. */
public final class ConversationKey {
  private static final Pattern WEB = Pattern.compile("^web:[A-Za-z0-9_-]{16,128}$");
  private static final Pattern TELEGRAM = Pattern.compile("^tg:[1-9][0-9]{0,18}$");

  private ConversationKey() {}

  /** The key, or 400 naming {@code key}. */
  public static String check(String key) {
    if (key == null || !(WEB.matcher(key).matches() || TELEGRAM.matcher(key).matches())) {
      throw new InvalidInputException(
          "key",
          "a conversation key is web:<session id> (16-128 of A-Z a-z 0-9 _ -) or tg:<user id>");
    }
    if (key.startsWith("tg:")) {
      telegramUser(key);
    }
    return key;
  }

  /** The Telegram user of a {@code tg:} key, or 0 for a web conversation. */
  public static long telegramUser(String key) {
    if (!key.startsWith("tg:")) {
      return 0;
    }
    try {
      return Long.parseLong(key.substring(3));
    } catch (NumberFormatException e) {
      throw new InvalidInputException("key", "the Telegram user id is too large");
    }
  }
}
