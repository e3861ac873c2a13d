package cloud.openclaw.platform.domain;

import java.util.Locale;

/** How hard the agent's model thinks (boxes.thinking_level). */
public enum ThinkingLevel implements DbEnum {
  OFF,
  MINIMAL,
  LOW,
  MEDIUM,
  HIGH,
  XHIGH,
  ADAPTIVE,
  MAX,
  ULTRA;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static ThinkingLevel fromDb(String value) {
    return DbEnum.fromDb(ThinkingLevel.class, value);
  }
}
