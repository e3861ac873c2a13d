package cloud.openclaw.platform.domain;

import java.util.Locale;

/** Where a box runs (boxes.runtime). */
public enum BoxRuntime implements DbEnum {
  KUBERNETES,
  LOCAL;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static BoxRuntime fromDb(String value) {
    return DbEnum.fromDb(BoxRuntime.class, value);
  }
}
