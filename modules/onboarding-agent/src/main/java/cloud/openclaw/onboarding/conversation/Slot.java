package cloud.openclaw.onboarding.conversation;

import java.util.Locale;

/** What the conversation asks for, in the order it asks; {@link #CONFIRM} is the summary. */
public enum Slot {
  USE_CASE,
  BOT,
  OWNER,
  ALLOWED_USERS,
  PLAN,
  EMAIL,
  CONFIRM;

  /** The name in events and choices: use_case, bot, owner, allowed_users, plan, email, confirm. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Slot fromWire(String name) {
    for (Slot slot : values()) {
      if (slot.wireName().equals(name)) {
        return slot;
      }
    }
    return null;
  }
}
