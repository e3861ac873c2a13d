package cloud.openclaw.platform.domain;

import java.util.Locale;

/** What the operator last saw of a box (boxes.observed_state). */
public enum BoxObservedState implements DbEnum {
  PENDING,
  PROVISIONING,
  RUNNING,
  /** The gateway runs, but Telegram refuses the bot's token (getMe 401): nobody can reach it. */
  BOT_REFUSED,
  SUSPENDED,
  DESTROYING,
  DESTROYED,
  FAILED;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static BoxObservedState fromDb(String value) {
    return DbEnum.fromDb(BoxObservedState.class, value);
  }
}
