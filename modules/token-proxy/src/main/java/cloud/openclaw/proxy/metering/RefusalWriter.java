package cloud.openclaw.proxy.metering;

import cloud.openclaw.platform.domain.PeriodRefusals;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.limits.Limiter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves the counts of refused requests from Redis to PostgreSQL ({@code
 * usage_monthly.rejected_requests}): every interval it takes the periods refused since the last
 * pass (of any replica) and writes their running counts in one statement. However fast a client is
 * refused, its period is written at most once per interval per replica. A count is a running total
 * and never lowers what is recorded, so writing one twice or late is harmless; counts that cannot
 * be written are marked again for the next pass.
 */
public final class RefusalWriter implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RefusalWriter.class.getName());
  private static final int BATCH = 1000;

  private final Limiter limiter;
  private final UsageStore store;
  private final Duration interval;
  private final CountDownLatch closing = new CountDownLatch(1);
  private Thread thread;
  private boolean failing;

  public RefusalWriter(Limiter limiter, UsageStore store, Duration interval) {
    this.limiter = limiter;
    this.store = store;
    this.interval = interval;
  }

  public RefusalWriter start() {
    thread = Thread.ofVirtual().name("refusal-writer").start(this::loop);
    return this;
  }

  private void loop() {
    while (pause()) {
      runOnce();
    }
    runOnce();
  }

  /** One pass: everything marked so far, in batches; false when Redis or PostgreSQL failed. */
  boolean runOnce() {
    List<PeriodRefusals> inHand = List.of();
    try {
      int taken;
      do {
        inHand = limiter.takeRefusals(BATCH);
        taken = inHand.size();
        store.recordRefusals(inHand);
        inHand = List.of();
      } while (taken == BATCH);
      if (failing) {
        LOG.info("refusal counts are written again");
        failing = false;
      }
      return true;
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.log(Level.WARNING, "refusal counts could not be written; retrying", e);
        failing = true;
      }
      try {
        limiter.refusalsNotWritten(inHand);
      } catch (RuntimeException again) {
        // Redis is gone too: the next refusal of each customer marks its period again.
      }
      return false;
    }
  }

  private boolean pause() {
    try {
      return !closing.await(interval.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops after one last pass. */
  @Override
  public void close() {
    closing.countDown();
    if (thread != null) {
      try {
        thread.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
