package cloud.openclaw.operator.reconcile;

import cloud.openclaw.operator.kubernetes.KubernetesRuntime;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
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
 * Compares the boxes in PostgreSQL with what the cluster has and repairs the drift, on start and
 * then periodically:
 *
 * <ul>
 *   <li>a box meant to run, last seen running on Kubernetes, whose namespace is gone gets a
 *       provision job (unless a job for it is already queued or running). The idempotency key
 *       carries the box's {@code updated_at}, so repeated passes over the same drift enqueue one
 *       job; once that job has run, the box's row has changed and a later loss is repaired again;
 *   <li>namespaces labelled as managed by the operator whose box is destroyed or unknown are
 *       deleted (through {@link KubernetesRuntime#delete(UUID, String)}, which refuses namespaces
 *       that are not the box's); namespaces already terminating are left to finish, and only
 *       namespaces with this installation's prefix are considered;
 *   <li>jobs still {@code running} after their lease ran out (their consumer died) are published
 *       again, so a live consumer claims and retries them. {@code JobRelay} does the same after its
 *       grace period; doing it here too is harmless (a job runs only for the consumer that claims
 *       its row) and makes each pass report them.
 * </ul>
 *
 * <p>Boxes meant to be suspended are left alone: reactivation re-applies a missing namespace, and
 * checking their Deployments would need a cluster-wide list the operator's RBAC does not grant.
 * Boxes on the local runtime and boxes being destroyed (their destroy job owns the namespace) are
 * not touched either.
 *
 * <p>A pass costs one namespace list and two queries when nothing drifted; the cluster is listed
 * before PostgreSQL is read, so a namespace created during the pass always has its box in the
 * snapshot and is never mistaken for an orphan.
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
  private final KubernetesRuntime runtime;
  private final String namespacePrefix;
  private final Database database;
  private final JobStore jobs;
  private final JobStream stream;
  private Periodic periodic;

  /** What one pass repaired. */
  public record Report(
      int provisionsEnqueued, int namespacesRemoved, int stuckJobsRetried, int failures) {
    public boolean nothingToDo() {
      return provisionsEnqueued == 0
          && namespacesRemoved == 0
          && stuckJobsRetried == 0
          && failures == 0;
    }
  }

  /**
   * @param namespacePrefix only namespaces named with this prefix
   *     (operator.kubernetes.namespace-prefix) are ever removed, so that operators of other
   *     installations sharing the cluster are safe
   */
  public Reconciler(
      BoxStore boxes,
      KubernetesRuntime runtime,
      String namespacePrefix,
      JobStore jobs,
      JobStream stream) {
    this.boxes = Objects.requireNonNull(boxes, "boxes");
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.namespacePrefix = Objects.requireNonNull(namespacePrefix, "namespacePrefix");
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
    // The cluster first: see the class comment.
    List<KubernetesRuntime.ManagedBox> managed = runtime.listManaged();
    List<Box> live = boxes.listLive(database.execute());

    Map<UUID, Box> liveById = new HashMap<>();
    for (Box box : live) {
      liveById.put(box.id(), box);
    }
    Map<UUID, KubernetesRuntime.ManagedBox> present = new HashMap<>();
    for (KubernetesRuntime.ManagedBox ns : managed) {
      present.putIfAbsent(ns.boxId(), ns);
    }

    int removed = 0;
    for (KubernetesRuntime.ManagedBox ns : managed) {
      if (liveById.containsKey(ns.boxId())
          || ns.terminating()
          || !ns.namespace().startsWith(namespacePrefix)) {
        continue;
      }
      try {
        runtime.delete(ns.boxId(), ns.namespace());
        removed++;
        LOG.info(
            "reconcile: removed namespace "
                + ns.namespace()
                + " of box "
                + ns.boxId()
                + " (destroyed or unknown)");
      } catch (UnavailableException e) {
        LOG.info("reconcile: namespace " + ns.namespace() + " still terminating; next pass");
      } catch (RuntimeException e) {
        failures++;
        LOG.log(Level.WARNING, "reconcile: could not remove namespace " + ns.namespace(), e);
      }
    }

    int provisioned = 0;
    List<Box> vanished =
        live.stream()
            .filter(Reconciler::shouldHaveNamespace)
            .filter(box -> !present.containsKey(box.id()))
            .toList();
    if (!vanished.isEmpty()) {
      // Only when something looks missing: confirm against a fresh list (a provision may have
      // finished since the first one) and skip boxes a job is already working on.
      Set<UUID> stillPresent =
          runtime.listManaged().stream()
              .map(KubernetesRuntime.ManagedBox::boxId)
              .collect(Collectors.toSet());
      Set<UUID> busy = activeJobBoxes();
      for (Box box : vanished) {
        if (stillPresent.contains(box.id()) || busy.contains(box.id())) {
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

  /** Meant to run, last seen running, on Kubernetes: its namespace must exist. */
  private static boolean shouldHaveNamespace(Box box) {
    return box.runtime() == BoxRuntime.KUBERNETES
        && box.desiredState() == BoxDesiredState.RUNNING
        && box.observedState() == BoxObservedState.RUNNING;
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
              + " should be running but its namespace is gone: provision job "
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
