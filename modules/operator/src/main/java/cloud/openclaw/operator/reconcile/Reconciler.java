package cloud.openclaw.operator.reconcile;

import cloud.openclaw.operator.runtime.GatewayRuntime;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.store.BoxStore;
import io.helidon.dbclient.DbRow;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Compares the boxes in PostgreSQL with what each enabled runtime has (the cluster's namespaces,
 * the local boxes' directories and processes) and repairs the drift, on start and then
 * periodically:
 *
 * <ul>
 *   <li>a box meant to run, last seen running, whose gateway is gone from its runtime (its
 *       namespace deleted; its process not running after an operator restart) gets a provision job
 *       (unless a job for it is already queued or running). The idempotency key carries the box's
 *       {@code updated_at}, so repeated passes over the same drift enqueue one job; once that job
 *       has run, the box's row has changed and a later loss is repaired again. A local gateway an
 *       earlier operator left running is adopted by the runtime's listing instead;
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
 * <p>Boxes meant to be suspended are left alone: reactivation re-applies a missing namespace, and
 * checking their Deployments would need a cluster-wide list the operator's RBAC does not grant.
 * Boxes being destroyed (their destroy job owns the namespace) are not touched either.
 *
 * <p>A pass costs one listing per runtime and two queries when nothing drifted; the runtimes are
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
  private final Runtimes runtimes;
  private final Database database;
  private final JobStore jobs;
  private final JobStream stream;
  private Periodic periodic;

  /** What one pass repaired. */
  public record Report(
      int provisionsEnqueued, int orphansRemoved, int stuckJobsRetried, int failures) {
    public boolean nothingToDo() {
      return provisionsEnqueued == 0
          && orphansRemoved == 0
          && stuckJobsRetried == 0
          && failures == 0;
    }
  }

  public Reconciler(BoxStore boxes, Runtimes runtimes, JobStore jobs, JobStream stream) {
    this.boxes = Objects.requireNonNull(boxes, "boxes");
    this.runtimes = Objects.requireNonNull(runtimes, "runtimes");
    this.database = jobs.database();
    this.jobs = jobs;
    this.stream = Objects.requireNonNull(stream, "stream");
  }

  /** Runs a pass now, then one every {@code interval}, on a virtual thread, until closed. */
  public Reconciler start(Duration interval) {
    periodic =
        Periodic.start(
            "reconciler",
            interval,
            () -> {
              Report report = runOnce();
              if (report.nothingToDo()) {
                LOG.fine("reconcile: no drift");
              } else {
                LOG.info("reconcile: " + report);
              }
            });
    return this;
  }

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

    int removed = 0;
    int provisioned = 0;
    Set<UUID> busy = null;
    for (Map.Entry<GatewayRuntime, List<GatewayRuntime.Placed>> entry : placed.entrySet()) {
      GatewayRuntime runtime = entry.getKey();
      Map<UUID, GatewayRuntime.Placed> present = new HashMap<>();
      for (GatewayRuntime.Placed p : entry.getValue()) {
        present.putIfAbsent(p.boxId(), p);
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

      List<Box> vanished =
          live.stream()
              .filter(box -> shouldRun(box, runtime))
              .filter(box -> !present.containsKey(box.id()) || !present.get(box.id()).running())
              .toList();
      if (vanished.isEmpty()) {
        continue;
      }
      // Only when something looks missing: confirm against a fresh list (a provision may have
      // finished since the first one) and skip boxes a job is already working on.
      Set<UUID> stillRunning;
      try {
        stillRunning =
            runtime.list().stream()
                .filter(GatewayRuntime.Placed::running)
                .map(GatewayRuntime.Placed::boxId)
                .collect(Collectors.toSet());
      } catch (RuntimeException e) {
        failures++;
        LOG.log(Level.WARNING, "reconcile: cannot list the " + name(runtime) + " runtime", e);
        continue;
      }
      if (busy == null) {
        busy = activeJobBoxes();
      }
      for (Box box : vanished) {
        if (stillRunning.contains(box.id()) || busy.contains(box.id())) {
          continue;
        }
        try {
          if (enqueueProvision(box)) {
            provisioned++;
          }
        } catch (RuntimeException e) {
          failures++;
          LOG.log(Level.WARNING, "reconcile: could not enqueue a provision of box " + box.id(), e);
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
    return new Report(provisioned, removed, retried, failures);
  }

  /** Meant to run, last seen running, on this runtime: its gateway must be there. */
  private static boolean shouldRun(Box box, GatewayRuntime runtime) {
    return box.runtime() == runtime.kind()
        && box.desiredState() == BoxDesiredState.RUNNING
        && box.observedState() == BoxObservedState.RUNNING;
  }

  private static String name(GatewayRuntime runtime) {
    return runtime.kind().dbValue();
  }

  private boolean enqueueProvision(Box box) {
    String key = "reconcile:provision:" + box.id() + ":" + box.updatedAt();
    NewJob provision = new NewJob(JobType.PROVISION, box.id(), null, key);
    JobStore.Inserted inserted =
        database.inTransaction(
            tx -> {
              JobStore.Inserted row = jobs.insert(tx.execute(), provision);
              if (row.created()) {
                tx.afterCommit(() -> publish(row.job().id()));
              }
              return row;
            });
    if (inserted.created()) {
      LOG.info(
          "reconcile: box "
              + box.id()
              + " should be running but its gateway is gone: provision job "
              + inserted.job().id()
              + " enqueued");
    }
    return inserted.created();
  }

  private void publish(UUID jobId) {
    try {
      stream.publish(jobId);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "reconcile: job " + jobId + " not published now; the relay will", e);
    }
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
      stream.publish(id);
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
