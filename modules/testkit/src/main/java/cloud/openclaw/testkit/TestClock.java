package cloud.openclaw.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock a test moves ahead: the system's time plus an offset, so it runs on by itself and jumps
 * when told (a renewal a month away, a payment an hour late). Handed to every service of a test and
 * to the sandbox, so all of them agree on what time it is.
 */
public final class TestClock extends Clock {
  private final AtomicLong offsetNanos = new AtomicLong();

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.now().plusNanos(offsetNanos.get());
  }

  /** Moves the clock ahead by {@code by}. */
  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("a test clock only moves ahead: " + by);
    }
    offsetNanos.addAndGet(by.toNanos());
  }

  /** Moves the clock ahead to {@code at}, or just past it (nothing when it is there already). */
  public void advanceTo(Instant at) {
    Duration by = Duration.between(instant(), at);
    if (!by.isNegative()) {
      advance(by);
    }
  }
}
