package cloud.openclaw.platform.jobs;

import java.util.Locale;

/** What the operator does to a box. */
public enum JobType {
  PROVISION,
  DESTROY,
  SUSPEND,
  REACTIVATE,
  UPDATE;

  public String dbValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobType fromDb(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
