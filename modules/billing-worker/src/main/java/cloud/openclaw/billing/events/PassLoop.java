package cloud.openclaw.billing.events;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A pass run again and again on a virtual thread until closed; the pass waits for its work itself
 * (a doorbell, a blocking stream read). A failed pass is logged and the next one runs after {@code
 * retryAfter}: a worker must outlive a database or Redis outage.
 */
final class PassLoop implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PassLoop.class.getName());

  private final Thread thread;
  private volatile boolean running = true;

  private PassLoop(String name, Duration retryAfter, Runnable pass) {
    this.thread = Thread.ofVirtual().name(name).start(() -> loop(name, retryAfter, pass));
  }

  static PassLoop start(String name, Duration retryAfter, Runnable pass) {
    return new PassLoop(name, retryAfter, pass);
  }

  private void loop(String name, Duration retryAfter, Runnable pass) {
    while (running) {
      try {
        pass.run();
      } catch (RuntimeException e) {
        if (!running) {
          return; // closing interrupts the pass's wait
        }
        LOG.log(Level.WARNING, name + " pass failed; next in " + retryAfter, e);
        try {
          Thread.sleep(retryAfter);
        } catch (InterruptedException interrupted) {
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
