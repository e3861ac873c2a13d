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

  /** Updates go through their own stream; everything else is a lifecycle job. */
  public Lane lane() {
    return this == UPDATE ? Lane.UPDATES : Lane.LIFECYCLE;
  }

  public static JobType fromDb(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
