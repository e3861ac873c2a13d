package cloud.openclaw.platform.jobs;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A pass run now and then every interval on a virtual thread, until closed. A pass that fails is
 * logged and the next one runs on time: background repair (the job relay, the reconciler) must
 * outlive a database or Redis outage.
 */
public final class Periodic implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Periodic.class.getName());

  private final Thread thread;
  private volatile boolean running = true;

  private Periodic(String name, Duration interval, Runnable pass) {
    this.thread = Thread.ofVirtual().name(name).start(() -> loop(name, interval, pass));
  }

  public static Periodic start(String name, Duration interval, Runnable pass) {
    return new Periodic(name, interval, pass);
  }

  private void loop(String name, Duration interval, Runnable pass) {
    while (running) {
      try {
        pass.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, name + " pass failed; next pass in " + interval, e);
      }
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
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
