package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.db.Tx;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Enqueues jobs as an outbox: the operator_jobs row is written in the same transaction as the state
 * change that caused it, and published to the Redis stream once that transaction has committed. If
 * the publish never happens (a crash, Redis down), the {@link JobRelay} publishes the row later.
 */
public final class JobQueue {
  private static final Logger LOG = Logger.getLogger(JobQueue.class.getName());

  private final JobStore store;
  private final JobStream stream;

  public JobQueue(JobStore store, JobStream stream) {
    this.store = store;
    this.stream = stream;
  }

  /** Enqueues within {@code tx}; the stream hears of it only if {@code tx} commits. */
  public Job enqueue(Tx tx, NewJob job) {
    JobStore.Inserted inserted = store.insert(tx.execute(), job);
    if (inserted.created()) {
      tx.afterCommit(() -> publish(inserted.job()));
    }
    return inserted.job();
  }

  /** Enqueues in a transaction of its own. */
  public Job enqueue(NewJob job) {
    return store.database().inTransaction(tx -> enqueue(tx, job));
  }

  private void publish(Job job) {
    try {
      stream.publish(job.id());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "job " + job.id() + " not published now; the relay will", e);
    }
  }
}
