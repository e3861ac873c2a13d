package cloud.openclaw.platform.jobs;

import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Re-publishes jobs the stream may have lost: due jobs not published within the grace period (a
 * crash between commit and publish, Redis restarted empty, a retry whose backoff is over) and
 * running jobs whose lease ran out; each on its lane. Only the first job of each box's line is
 * published (the others are when their turn comes). Publishing twice is harmless: a job runs only
 * for the consumer that claims its row.
 */
public final class JobRelay implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(JobRelay.class.getName());
  private static final int BATCH = 500;

  private final JobStore store;
  private final JobStream stream;
  private final Duration interval;
  private final Duration grace;
  private Periodic periodic;

  public JobRelay(JobStore store, JobStream stream, Duration interval, Duration grace) {
    this.store = store;
    this.stream = stream;
    this.interval = interval;
    this.grace = grace;
  }

  public JobRelay start() {
    periodic =
        Periodic.start(
            "job-relay",
            interval,
            () -> {
              int published = runOnce();
              if (published > 0) {
                LOG.fine(() -> "relay published " + published + " jobs");
              }
            });
    return this;
  }

  /** One pass; returns how many jobs it published. */
  public int runOnce() {
    int published = 0;
    List<JobStore.Ready> jobs;
    do {
      jobs = store.takeForRelay(grace, BATCH);
      for (JobStore.Ready job : jobs) {
        stream.publish(job.id(), job.type());
        published++;
      }
    } while (jobs.size() == BATCH);
    return published;
  }

  @Override
  public void close() {
    if (periodic != null) {
      periodic.close();
    }
  }
}
