package cloud.openclaw.operator.reconcile;

import cloud.openclaw.operator.OperatorMetrics;
import cloud.openclaw.operator.runtime.AppliedSettings;
import cloud.openclaw.operator.runtime.GatewayRuntime;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import io.helidon.dbclient.DbRow;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Compares the boxes in PostgreSQL with what each enabled runtime has (the cluster's namespaces and
 * gateway Deployments, the local boxes' directories and processes) and with their proxy tokens, and
 * repairs the drift, on start and then periodically:
 *
 * <ul>
 *   <li>a box meant to run and last seen running gets a provision job when its gateway is gone or
 *       stopped (its namespace deleted, its Deployment scaled to 0, its process not running after
 *       an operator restart) or it has no active proxy token (left suspended, or revoked): the
 *       provision applies everything again and resumes the token; an update job when its gateway
 *       runs with other settings than the box's ({@link AppliedSettings}, recorded by the runtime;
 *       a gateway applied before it was recorded is not compared). A local gateway an earlier
 *       operator left running is adopted by the runtime's listing instead;
 *   <li>a box meant to be suspended (whatever was last seen of it) gets a suspend job when its
 *       gateway still runs or a token of it is still active;
 *   <li>what a runtime holds of boxes that are destroyed, unknown or not on that runtime is deleted
 *       (a namespace through {@code KubernetesRuntime#delete(UUID, String)}, which refuses
 *       namespaces that are not the box's; only namespaces with this installation's prefix are
 *       listed); what is already terminating is left to finish;
 *   <li>jobs still {@code running} after their lease ran out (their consumer died) are published
 *       again, so a live consumer claims and retries them. {@code JobRelay} does the same after its
 *       grace period; doing it here too is harmless (a job runs only for the consumer that claims
 *       its row) and makes each pass report them.
 * </ul>
 *
 * <p>A box with a job queued or running is left to that job. A repair job's idempotency key carries
 * the box's {@code updated_at}, so repeated passes over the same drift enqueue one job; once that
 * job has run, the box's row has changed and a later drift is repaired again. Repairs go through
 * the queue like any job, so they run in line with the box's other jobs, and like any job they act
 * on the box's desired state when they run: a repair decided from a view that changed meanwhile
 * does what the box needs now. Boxes being destroyed (their destroy job owns the namespace) are not
 * repaired.
 *
 * <p>A pass costs, whatever the number of boxes: one listing per runtime (Kubernetes: the managed
 * namespaces and the managed Deployments, two requests; local: the box directories and their
 * processes), three queries (the live boxes, the active tokens per box, the stuck jobs), and only
 * when something drifted a second listing (to confirm against one taken after PostgreSQL was read)
 * and a query of the boxes with jobs underway, then one transaction per repair. The runtimes are
 * listed before PostgreSQL is read, so a namespace created during the pass always has its box in
 * the snapshot and is never mistaken for an orphan.
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

  private static final String ACTIVE_JOB_BOXES =
      "SELECT DISTINCT box_id FROM operator_jobs WHERE status IN ('queued', 'running')";
  // Marked published so that the relay does not publish them again within its grace period.
  private static final String TAKE_STUCK =
      """
      UPDATE operator_jobs SET published_at = now()
       WHERE status = 'running' AND locked_until < now()
      RETURNING id, type, box_id, locked_by, attempts, max_attempts""";

  private final BoxStore boxes;
  private final ProxyTokenStore tokens;
  private final Runtimes runtimes;
  private final Database database;
  private final JobStream stream;
  private final JobQueue queue;
  private final OperatorMetrics metrics;
  private Periodic periodic;

  /** What one pass repaired: jobs enqueued by type, orphans removed, stuck jobs published. */
  public record Report(
      Map<JobType, Integer> enqueued, int orphansRemoved, int stuckJobsRetried, int failures) {
    public Report {
      enqueued = Map.copyOf(enqueued);
    }

    public int provisionsEnqueued() {
      return enqueued.getOrDefault(JobType.PROVISION, 0);
    }

    public int suspendsEnqueued() {
      return enqueued.getOrDefault(JobType.SUSPEND, 0);
    }

    public int updatesEnqueued() {
      return enqueued.getOrDefault(JobType.UPDATE, 0);
    }

    public boolean nothingToDo() {
      return enqueued.isEmpty() && orphansRemoved == 0 && stuckJobsRetried == 0 && failures == 0;
    }
  }

  public Reconciler(BoxStore boxes, Runtimes runtimes, JobStore jobs, JobStream stream) {
    this(boxes, runtimes, jobs, stream, OperatorMetrics.discarded());
  }

  /** Each pass's time goes to {@code metrics} (operator_reconcile_seconds). */
  public Reconciler(
      BoxStore boxes, Runtimes runtimes, JobStore jobs, JobStream stream, OperatorMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.boxes = Objects.requireNonNull(boxes, "boxes");
    this.runtimes = Objects.requireNonNull(runtimes, "runtimes");
    this.database = jobs.database();
    this.tokens = new ProxyTokenStore(database);
    this.stream = Objects.requireNonNull(stream, "stream");
    this.queue = new JobQueue(jobs, stream);
  }

  /** Runs a pass now, then one every {@code interval}, on a virtual thread, until closed. */
  public Reconciler start(Duration interval) {
    periodic =
        Periodic.start(
            "reconciler",
            interval,
            () -> {
              long started = System.nanoTime();
              Report report = runOnce();
              metrics.reconciled(Duration.ofNanos(System.nanoTime() - started));
              if (report.nothingToDo()) {
                LOG.fine("reconcile: no drift");
              } else {
                LOG.info("reconcile: " + report);
              }
            });
    return this;
  }

  /** A job that repairs a box's drift, and the drift in words. */
  private record Repair(JobType type, String drift) {}

  /** One pass: every repair is attempted; one that fails is counted and retried next pass. */
  public Report runOnce() {
    int failures = 0;
    // The runtimes first: see the class comment.
    Map<GatewayRuntime, List<GatewayRuntime.Placed>> placed = new LinkedHashMap<>();
    for (GatewayRuntime runtime : runtimes.all()) {
      try {
        placed.put(runtime, runtime.list());
      } catch (RuntimeException e) {
        failures++;
        LOG.log(Level.WARNING, "reconcile: cannot list the " + name(runtime) + " runtime", e);
      }
    }
    List<Box> live = boxes.listLive(database.execute());
    Map<UUID, Box> liveById = new HashMap<>();
    for (Box box : live) {
      liveById.put(box.id(), box);
    }
    Map<UUID, Long> activeTokens = tokens.activeCountsByBox(database.execute());

    int removed = 0;
    Map<JobType, Integer> enqueued = new EnumMap<>(JobType.class);
    Set<UUID> busy = null;
    for (Map.Entry<GatewayRuntime, List<GatewayRuntime.Placed>> entry : placed.entrySet()) {
      GatewayRuntime runtime = entry.getKey();
      for (GatewayRuntime.Placed p : entry.getValue()) {
        Box box = liveById.get(p.boxId());
        if ((box != null && box.runtime() == runtime.kind()) || p.terminating()) {
          continue;
        }
        try {
          runtime.delete(p);
          removed++;
          LOG.info(
              "reconcile: removed "
                  + p.location()
                  + " of box "
                  + p.boxId()
                  + " ("
                  + (box == null ? "destroyed or unknown" : "not on " + name(runtime))
                  + ")");
        } catch (UnavailableException e) {
          LOG.info("reconcile: " + p.location() + " still terminating; next pass");
        } catch (RuntimeException e) {
          failures++;
          LOG.log(Level.WARNING, "reconcile: could not remove " + p.location(), e);
        }
      }

      Map<UUID, Repair> drifted = drift(live, runtime, entry.getValue(), activeTokens);
      if (drifted.isEmpty()) {
        continue;
      }
      // Only when something drifted: confirm against a fresh list (a job may have finished since
      // the first one) and skip boxes a job is already working on.
      Map<UUID, Repair> confirmed;
      try {
        List<Box> suspects = drifted.keySet().stream().map(liveById::get).toList();
        confirmed = drift(suspects, runtime, runtime.list(), activeTokens);
      } catch (RuntimeException e) {
        failures++;
        LOG.log(Level.WARNING, "reconcile: cannot list the " + name(runtime) + " runtime", e);
        continue;
      }
      if (busy == null) {
        busy = activeJobBoxes();
      }
      for (Map.Entry<UUID, Repair> repair : confirmed.entrySet()) {
        Box box = liveById.get(repair.getKey());
        if (busy.contains(box.id())) {
          continue;
        }
        try {
          if (enqueue(box, repair.getValue())) {
            enqueued.merge(repair.getValue().type(), 1, Integer::sum);
          }
        } catch (RuntimeException e) {
          failures++;
          LOG.log(Level.WARNING, "reconcile: could not enqueue a repair of box " + box.id(), e);
        }
      }
    }

    int retried = 0;
    try {
      retried = retryStuckJobs();
    } catch (RuntimeException e) {
      failures++;
      LOG.log(Level.WARNING, "reconcile: could not retry stuck jobs", e);
    }
    return new Report(enqueued, removed, retried, failures);
  }

  /** The boxes of this runtime whose gateway or tokens differ from what their state asks for. */
  private static Map<UUID, Repair> drift(
      List<Box> candidates,
      GatewayRuntime runtime,
      List<GatewayRuntime.Placed> placed,
      Map<UUID, Long> activeTokens) {
    Map<UUID, GatewayRuntime.Placed> present = new HashMap<>();
    for (GatewayRuntime.Placed p : placed) {
      present.putIfAbsent(p.boxId(), p);
    }
    Map<UUID, Repair> drifted = new LinkedHashMap<>();
    for (Box box : candidates) {
      if (box.runtime() != runtime.kind()) {
        continue;
      }
      repair(box, present.get(box.id()), activeTokens.getOrDefault(box.id(), 0L))
          .ifPresent(repair -> drifted.put(box.id(), repair));
    }
    return drifted;
  }

  /**
   * What the box needs: see the class comment.
   *
   * @param placed what its runtime holds of it; null when nothing
   */
  private static Optional<Repair> repair(Box box, GatewayRuntime.Placed placed, long activeTokens) {
    boolean gatewayUp = placed != null && !placed.terminating() && placed.running();
    if (box.desiredState() == BoxDesiredState.RUNNING
        && box.observedState() == BoxObservedState.RUNNING) {
      if (!gatewayUp) {
        return Optional.of(
            new Repair(JobType.PROVISION, "should be running but its gateway is gone or stopped"));
      }
      if (activeTokens == 0) {
        return Optional.of(new Repair(JobType.PROVISION, "runs but has no active proxy token"));
      }
      if (placed.settingsHash() != null && !placed.settingsHash().equals(AppliedSettings.of(box))) {
        return Optional.of(new Repair(JobType.UPDATE, "runs with other settings than its own"));
      }
    }
    if (box.desiredState() == BoxDesiredState.SUSPENDED) {
      if (gatewayUp) {
        return Optional.of(new Repair(JobType.SUSPEND, "should be suspended but its gateway runs"));
      }
      if (activeTokens > 0) {
        return Optional.of(
            new Repair(JobType.SUSPEND, "should be suspended but its proxy token is active"));
      }
    }
    return Optional.empty();
  }

  private static String name(GatewayRuntime runtime) {
    return runtime.kind().dbValue();
  }

  private boolean enqueue(Box box, Repair repair) {
    String key = "reconcile:" + repair.type().dbValue() + ":" + box.id() + ":" + box.updatedAt();
    NewJob job = new NewJob(repair.type(), box.id(), null, key);
    JobStore.Inserted inserted = database.inTransaction(tx -> queue.submit(tx, job));
    if (inserted.created()) {
      LOG.info(
          "reconcile: box "
              + box.id()
              + " "
              + repair.drift()
              + ": "
              + repair.type().dbValue()
              + " job "
              + inserted.job().id()
              + " enqueued");
    }
    return inserted.created();
  }

  private Set<UUID> activeJobBoxes() {
    try (Stream<DbRow> rows = database.execute().query(ACTIVE_JOB_BOXES)) {
      return rows.map(row -> Rows.uuid(row, "box_id"))
          .collect(Collectors.toCollection(HashSet::new));
    }
  }

  private int retryStuckJobs() {
    List<DbRow> stuck;
    try (Stream<DbRow> rows = database.execute().query(TAKE_STUCK)) {
      stuck = rows.toList();
    }
    for (DbRow row : stuck) {
      UUID id = Rows.uuid(row, "id");
      stream.publish(id, JobType.fromDb(Rows.string(row, "type")));
      LOG.info(
          "reconcile: job "
              + id
              + " ("
              + Rows.string(row, "type")
              + " of box "
              + Rows.uuid(row, "box_id")
              + ", attempt "
              + Rows.intValue(row, "attempts")
              + " of "
              + Rows.intValue(row, "max_attempts")
              + ") was held by "
              + Rows.string(row, "locked_by")
              + " past its lease: published for retry");
    }
    return stuck.size();
  }

  @Override
  public void close() {
    if (periodic != null) {
      periodic.close();
    }
  }
}
