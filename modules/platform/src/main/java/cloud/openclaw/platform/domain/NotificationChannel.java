package cloud.openclaw.platform.domain;

import java.util.Locale;

/**
 * How a notification reaches its recipient (notifications.channel): an email, or a message in the
 * customer's own Telegram chat sent through their own bot (recipient: the chat id).
 */
public enum NotificationChannel implements DbEnum {
  EMAIL,
  TELEGRAM;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static NotificationChannel fromDb(String value) {
    return DbEnum.fromDb(NotificationChannel.class, value);
  }
}
