package cloud.openclaw.platform.domain;

import java.util.Locale;

/** What a box should be (boxes.desired_state); destroyed is final. */
public enum BoxDesiredState implements DbEnum {
  RUNNING,
  SUSPENDED,
  DESTROYED;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static BoxDesiredState fromDb(String value) {
    return DbEnum.fromDb(BoxDesiredState.class, value);
  }
}
