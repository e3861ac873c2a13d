package cloud.openclaw.platform.domain;

import java.util.Locale;

/** How a proxied request ended (usage_events.outcome). */
public enum UsageOutcome implements DbEnum {
  OK,
  CLIENT_CANCELLED,
  UPSTREAM_ERROR,
  UPSTREAM_TIMEOUT,
  REJECTED;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static UsageOutcome fromDb(String value) {
    return DbEnum.fromDb(UsageOutcome.class, value);
  }
}
