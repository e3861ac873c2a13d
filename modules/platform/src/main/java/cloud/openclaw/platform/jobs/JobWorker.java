package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.config.JobSettings;
import cloud.openclaw.platform.logging.LogContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One consumer of the job queue. It reads the stream with its group, takes over entries that a dead
 * consumer left unacknowledged past the lease, claims each job's row (only one consumer can hold a
 * lease, and only the first job of a box's line can be claimed), runs the handler while renewing
 * the lease, commits the outcome, announces the next job of the box's line, and only then
 * acknowledges the entry. A crash at any point leaves either the stream entry or the row's lease to
 * bring the job back, and the relay to announce the next one.
 *
 * <p>A worker reads the lanes it is given, lifecycle jobs first: the operator gives some workers
 * only the lifecycle lane, so that provisions, suspensions and destroys never wait behind updates.
 */
public final class JobWorker implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(JobWorker.class.getName());
  private static final int DEFAULT_BATCH = 16;

  private final JobStore store;
  private final JobStream stream;
  private final JobSettings settings;
  private final Backoff backoff;
  private final String consumer;
  private final JobHandler handler;
  private final int batch;
  private final Set<Lane> lanes;
  private volatile boolean running;
  private Thread thread;
  private Instant lastReclaim = Instant.EPOCH;

  public JobWorker(
      JobStore store, JobStream stream, JobSettings settings, String consumer, JobHandler handler) {
    this(store, stream, settings, consumer, handler, DEFAULT_BATCH);
  }

  /**
   * @param batch how many entries one read takes; they are run one after the other, so workers
   *     whose jobs take long (the operator's) take 1 and leave the rest to the other workers
   */
  public JobWorker(
      JobStore store,
      JobStream stream,
      JobSettings settings,
      String consumer,
      JobHandler handler,
      int batch) {
    this(store, stream, settings, consumer, handler, batch, EnumSet.allOf(Lane.class));
  }

  /**
   * @param lanes the lanes this worker reads (lifecycle first)
   */
  public JobWorker(
      JobStore store,
      JobStream stream,
      JobSettings settings,
      String consumer,
      JobHandler handler,
      int batch,
      Set<Lane> lanes) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be at least 1");
    }
    if (lanes.isEmpty()) {
      throw new IllegalArgumentException("a worker reads at least one lane");
    }
    this.lanes = EnumSet.copyOf(lanes);
    this.batch = batch;
    this.store = store;
    this.stream = stream;
    this.settings = settings;
    this.backoff = new Backoff(settings.backoffBase(), settings.backoffMax());
    this.consumer = consumer;
    this.handler = handler;
  }

  public JobWorker start() {
    stream.ensureGroup();
    running = true;
    thread = Thread.ofVirtual().name("job-worker-" + consumer).start(this::loop);
    return this;
  }

  private void loop() {
    while (running) {
      try {
        for (JobStream.Delivery delivery : nextDeliveries()) {
          if (!running) {
            return;
          }
          process(delivery);
        }
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        LOG.log(Level.WARNING, consumer + ": queue read failed, retrying", e);
        pause(settings.pollTimeout());
      }
    }
  }

  private List<JobStream.Delivery> nextDeliveries() {
    List<JobStream.Delivery> deliveries = new ArrayList<>();
    Instant now = Instant.now();
    if (Duration.between(lastReclaim, now).compareTo(settings.lease().dividedBy(2)) >= 0) {
      lastReclaim = now;
      deliveries.addAll(stream.reclaim(consumer, lanes, settings.lease(), batch));
    }
    deliveries.addAll(stream.readNew(consumer, lanes, batch, settings.pollTimeout()));
    return deliveries;
  }

  /** Handles one stream entry; package-private so tests can drive a consumer step by step. */
  void process(JobStream.Delivery delivery) {
    Optional<Job> claimed = store.claim(delivery.jobId(), consumer, settings.lease());
    if (claimed.isEmpty()) {
      settleUnclaimed(delivery);
      return;
    }
    Job job = claimed.get();
    if (job.attempts() > job.maxAttempts()) {
      // Its consumers kept dying mid-job (a lease ran out on every attempt): stop trying.
      announce(
          store.fail(
              job,
              JobStatus.DEAD,
              "gave up after " + job.maxAttempts() + " attempts: " + job.lastError()));
      stream.ack(delivery);
      return;
    }
    run(job);
    stream.ack(delivery);
  }

  /**
   * Runs the job, records its outcome and announces the next job of its box's line; its log lines
   * (and the calls it makes to other services) carry the request id of what enqueued it, or {@code
   * job-<id>} when nothing did.
   */
  private void run(Job job) {
    // Apart from the lease's try: its catch clauses log, and run after its resources are closed.
    try (LogContext.Scope context = LogContext.request(requestId(job))) {
      runInContext(job);
    }
  }

  private void runInContext(Job job) {
    try (LeaseKeeper ignored = new LeaseKeeper(job)) {
      long started = System.nanoTime();
      handler.handle(job);
      JobStore.Ended ended = store.succeed(job);
      if (!ended.recorded()) {
        LOG.warning(consumer + ": lost the lease of job " + job.id() + " before it finished");
      } else {
        LOG.info(
            consumer
                + ": job "
                + job.id()
                + " ("
                + job.type().dbValue()
                + ") of box "
                + job.boxId()
                + " succeeded, attempt "
                + job.attempts()
                + ", "
                + (System.nanoTime() - started) / 1_000_000
                + " ms");
      }
      announce(ended);
    } catch (JobSupersededException e) {
      LOG.info(consumer + ": job " + job.id() + " superseded: " + e.getMessage());
      announce(store.supersede(job));
    } catch (JobFailedException e) {
      announce(store.fail(job, JobStatus.FAILED, e.getMessage()));
    } catch (Exception e) {
      Duration delay = backoff.after(job.attempts());
      String error = e.getClass().getSimpleName() + ": " + e.getMessage();
      Optional<Job> after = store.retryOrBury(job, error, delay);
      after.ifPresent(
          a ->
              LOG.log(
                  a.status() == JobStatus.DEAD ? Level.SEVERE : Level.INFO,
                  consumer
                      + ": job "
                      + job.id()
                      + " attempt "
                      + job.attempts()
                      + " failed ("
                      + error
                      + "), now "
                      + a.status().dbValue()));
      if (after.map(a -> a.status() == JobStatus.DEAD).orElse(false)) {
        announceNext(job);
      }
    }
  }

  static String requestId(Job job) {
    return job.requestId() != null ? job.requestId() : "job-" + job.id();
  }

  private void announceNext(Job ended) {
    try {
      announce(new JobStore.Ended(true, store.takeNextInLine(ended.boxId())));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, consumer + ": next job of box " + ended.boxId() + " not announced", e);
    }
  }

  // The next job of the box's line may run now; if this announcement is lost, the relay makes it.
  private void announce(JobStore.Ended ended) {
    ended
        .next()
        .ifPresent(
            next -> {
              try {
                stream.publish(next.id(), next.type());
              } catch (RuntimeException e) {
                LOG.log(Level.WARNING, consumer + ": job " + next.id() + " not announced", e);
              }
            });
  }

  // The row says why the claim failed: finished, not yet due or waiting for an earlier job of its
  // box → the entry is done with (the job is announced again when it is due and first in line);
  // held by another consumer's live lease → leave it to them.
  private void settleUnclaimed(JobStream.Delivery delivery) {
    Optional<Job> job = store.find(delivery.jobId());
    boolean heldElsewhere =
        job.isPresent()
            && job.get().status() == JobStatus.RUNNING
            && !consumer.equals(job.get().lockedBy());
    if (!heldElsewhere) {
      stream.ack(delivery);
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops reading; a job in hand finishes first (up to the lease). */
  @Override
  public void close() {
    running = false;
    if (thread != null) {
      try {
        thread.join(settings.lease().plus(settings.pollTimeout()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Renews the lease at a third of its length while a handler runs. Woken by unpark, never by
   * interrupt: an interrupt that lands inside a renewal breaks its database connection.
   */
  private final class LeaseKeeper implements AutoCloseable {
    private final Thread renewer;
    private volatile boolean stopped;

    LeaseKeeper(Job job) {
      long every = settings.lease().dividedBy(3).toNanos();
      renewer =
          Thread.ofVirtual()
              .name("lease-" + job.id())
              .start(
                  () -> {
                    while (true) {
                      long until = System.nanoTime() + every;
                      while (!stopped && System.nanoTime() < until) {
                        LockSupport.parkNanos(until - System.nanoTime());
                      }
                      if (stopped || !renew(job)) {
                        return;
                      }
                    }
                  });
    }

    // False once the lease is lost; a failed renewal (database away) is tried again next time.
    private boolean renew(Job job) {
      try {
        return store.extendLease(job, settings.lease());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, consumer + ": could not renew the lease of job " + job.id(), e);
        return true;
      }
    }

    @Override
    public void close() {
      stopped = true;
      LockSupport.unpark(renewer);
    }
  }
}
