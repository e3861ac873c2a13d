package cloud.openclaw.platform.jobs;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A pass run again and again on a virtual thread, until closed. A pass that fails is logged and the
 * next one runs after the pause: background work (the job relay, the reconciler, billing's workers)
 * must outlive a database or Redis outage.
 */
public final class Periodic implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Periodic.class.getName());

  private final Thread thread;
  private volatile boolean running = true;

  private Periodic(String name, Duration pause, boolean pauseAfterEveryPass, Runnable pass) {
    this.thread =
        Thread.ofVirtual().name(name).start(() -> loop(name, pause, pauseAfterEveryPass, pass));
  }

  /** Runs {@code pass} now and then every {@code interval}. */
  public static Periodic start(String name, Duration interval, Runnable pass) {
    return new Periodic(name, interval, true, pass);
  }

  /**
   * Runs {@code pass} again as soon as it returns: it waits for its work itself (a doorbell, a
   * blocking stream read). Only after a failed pass is there a pause of {@code retryAfter}.
   */
  public static Periodic repeat(String name, Duration retryAfter, Runnable pass) {
    return new Periodic(name, retryAfter, false, pass);
  }

  private void loop(String name, Duration pause, boolean pauseAfterEveryPass, Runnable pass) {
    while (running) {
      boolean failed = false;
      try {
        pass.run();
      } catch (RuntimeException e) {
        if (!running) {
          return; // closing interrupts the pass's wait
        }
        LOG.log(Level.WARNING, name + " pass failed; next pass in " + pause, e);
        failed = true;
      }
      if (failed || pauseAfterEveryPass) {
        try {
          Thread.sleep(pause);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Stops after the pass in progress (interrupted if it waits). */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
