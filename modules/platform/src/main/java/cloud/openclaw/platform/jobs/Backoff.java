package cloud.openclaw.platform.jobs;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff between attempts: base, 2x base, 4x base ... capped, with up to 10% jitter.
 */
public record Backoff(Duration base, Duration max) {

  /** The wait after attempt number {@code attempt} (1-based) has failed. */
  public Duration after(int attempt) {
    int doublings = Math.min(Math.max(attempt - 1, 0), 30);
    long millis = Math.min(max.toMillis(), base.toMillis() << doublings);
    long jitter = ThreadLocalRandom.current().nextLong(millis / 10 + 1);
    return Duration.ofMillis(Math.min(max.toMillis(), millis + jitter));
  }
}
