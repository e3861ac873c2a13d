package cloud.openclaw.platform.domain;

import java.util.Locale;

/** Why a notification is sent (notifications.kind). */
public enum NotificationKind implements DbEnum {
  SIGN_IN_LINK,
  AGENT_LIVE,
  USAGE_WARNING,
  PAYMENT_FAILED,
  SUSPENDED,
  CANCELLED,
  BOT_REFUSED,
  REACTIVATED;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static NotificationKind fromDb(String value) {
    return DbEnum.fromDb(NotificationKind.class, value);
  }
}
