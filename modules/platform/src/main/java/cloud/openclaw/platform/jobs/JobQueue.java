package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.db.Tx;
import java.util.UUID;
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

  /**
   * Enqueues within {@code tx}; the stream hears of it only if {@code tx} commits. Returns the job,
   * or the one it is the same as: the job with its idempotency key, or the update of the box not
   * started yet that it was merged into ({@link JobStore#insert}).
   */
  public Job enqueue(Tx tx, NewJob job) {
    return submit(tx, job).job();
  }

  /** Enqueues in a transaction of its own. */
  public Job enqueue(NewJob job) {
    return store.database().inTransaction(tx -> enqueue(tx, job));
  }

  /** {@link #enqueue(Tx, NewJob)}, telling whether a job was created or merged. */
  public JobStore.Inserted submit(Tx tx, NewJob job) {
    JobStore.Inserted inserted = store.insert(tx.execute(), job);
    if (inserted.created() && inserted.firstInLine()) {
      tx.afterCommit(() -> publish(inserted.job().id(), job.type().lane()));
    }
    // The head of the box's line that this lifecycle job made due: it runs first, so it goes
    // through the lifecycle lane too.
    inserted.hurried().ifPresent(head -> tx.afterCommit(() -> publish(head.id(), Lane.LIFECYCLE)));
    return inserted;
  }

  private void publish(UUID id, Lane lane) {
    try {
      stream.publish(id, lane);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "job " + id + " not published now; the relay will", e);
    }
  }
}
