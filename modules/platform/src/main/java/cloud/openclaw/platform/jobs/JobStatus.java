package cloud.openclaw.platform.jobs;

import java.util.Locale;

/**
 * Where a job stands. {@code failed}: its handler declared it hopeless; {@code dead}: it failed on
 * every allowed attempt. Both keep the last error. {@code superseded}: when it ran, the box's
 * desired state no longer asked for it, so it did nothing (a later job does what is wanted now).
 */
public enum JobStatus {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  DEAD,
  SUPERSEDED;

  public String dbValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobStatus fromDb(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == DEAD || this == SUPERSEDED;
  }
}
