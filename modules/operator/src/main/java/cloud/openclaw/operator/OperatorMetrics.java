package cloud.openclaw.operator;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.store.BoxStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's meters. Counts read from PostgreSQL ({@code operator_jobs_queued{type}}, {@code
 * operator_jobs_dead}, {@code operator_boxes{state}}) are refreshed by {@link #refresh} every few
 * seconds, never on a scrape (a scrape must answer while PostgreSQL is down); the rest are recorded
 * as jobs run: {@code operator_job_seconds{type,outcome}}, {@code
 * operator_job_failures_total{type,step}} (the step a failed attempt had reached), {@code
 * operator_paid_to_live_seconds} (the provision job's creation, in the payment's transaction, to
 * the box running) and {@code operator_reconcile_seconds}. Every type, state and outcome is
 * registered at start, so a scrape lists each family before the first job.
 */
public final class OperatorMetrics {
  /** How a job attempt ended: operator_job_seconds{outcome}. */
  public enum Outcome {
    SUCCEEDED,
    FAILED,
    SUPERSEDED;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final Map<JobType, AtomicLong> queued = new EnumMap<>(JobType.class);
  private final AtomicLong dead = new AtomicLong();
  private final Map<BoxObservedState, AtomicLong> boxes = new EnumMap<>(BoxObservedState.class);
  private final Timer paidToLive;
  private final Timer reconcile;
  private final AtomicLong lastWorkspaceSnapshot = new AtomicLong();
  private boolean lastWorkspaceSnapshotRegistered;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (JobType type : JobType.values()) {
      AtomicLong count = new AtomicLong();
      queued.put(type, count);
      Gauge.builder("operator_jobs_queued", count, AtomicLong::get)
          .description("Jobs waiting to run (or to be retried), by type")
          .tag("type", type.dbValue())
          .register(registry);
      for (Outcome outcome : Outcome.values()) {
        jobTimer(type, outcome);
      }
    }
    Gauge.builder("operator_jobs_dead", dead, AtomicLong::get)
        .description("Jobs that failed on every allowed attempt and wait for a person")
        .register(registry);
    for (BoxObservedState state : BoxObservedState.values()) {
      if (state == BoxObservedState.DESTROYED) {
        continue;
      }
      AtomicLong count = new AtomicLong();
      boxes.put(state, count);
      Gauge.builder("operator_boxes", count, AtomicLong::get)
          .description("Boxes not destroyed, by observed state")
          .tag("state", state.dbValue())
          .register(registry);
    }
    Counter.builder("operator_job_failures")
        .description("Failed job attempts, by type and the step reached")
        .tag("type", JobType.PROVISION.dbValue())
        .tag("step", "accepted")
        .register(registry);
    paidToLive =
        Metrics.timer(
            registry,
            "operator_paid_to_live",
            "From the payment (the provision job's creation) to the box running",
            Duration.ofSeconds(1),
            Duration.ofMinutes(30));
    for (ArchiveReason reason : ArchiveReason.values()) {
      for (String outcome : List.of("succeeded", "failed")) {
        workspaceArchives(reason, outcome);
      }
    }
    reconcile = Metrics.timer(registry, "operator_reconcile", "One reconciler pass");
  }

  /** Meters that go nowhere: for tests and tools that build the operator's parts by hand. */
  public static OperatorMetrics discarded() {
    return new OperatorMetrics(new SimpleMeterRegistry());
  }

  private Timer jobTimer(JobType type, Outcome outcome) {
    return Metrics.timer(
        registry,
        "operator_job",
        "One job attempt, by type and outcome",
        "type",
        type.dbValue(),
        "outcome",
        outcome.tag());
  }

  public void job(JobType type, Outcome outcome, Duration took) {
    jobTimer(type, outcome).record(took);
  }

  /** A failed attempt of a {@code type} job that had reached {@code step}. */
  public void jobFailed(JobType type, String step) {
    Counter.builder("operator_job_failures")
        .tag("type", type.dbValue())
        .tag("step", step)
        .register(registry)
        .increment();
  }

  public void paidToLive(Duration took) {
    paidToLive.record(took.isNegative() ? Duration.ZERO : took);
  }

  /** Why a workspace was archived: openclaw_workspace_archives_total{reason}. */
  public enum ArchiveReason {
    /** The box was being destroyed. */
    DESTROY,
    /** The nightly snapshot of a running box. */
    SNAPSHOT;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private Counter workspaceArchives(ArchiveReason reason, String outcome) {
    return Counter.builder("openclaw_workspace_archives")
        .description(
            "Kubernetes boxes' workspaces archived to the store, by reason (destroy, snapshot) and"
                + " outcome")
        .tag("reason", reason.tag())
        .tag("outcome", outcome)
        .register(registry);
  }

  /** A box's workspace archived ({@code ok}) or not, when destroyed or by the nightly snapshot. */
  public void workspaceArchived(ArchiveReason reason, boolean ok) {
    workspaceArchives(reason, ok ? "succeeded" : "failed").increment();
  }

  /**
   * The last snapshot pass that copied every running box's workspace ended at {@code at}: {@code
   * openclaw_backup_last_success_timestamp_seconds{kind="workspaces"}}, exported only once known
   * (never with the feature off), for BackupLate. A destroy's archive does not set it: it says
   * nothing about the running boxes.
   */
  public synchronized void workspacesSnapshotted(Instant at) {
    lastWorkspaceSnapshot.set(at.getEpochSecond());
    if (!lastWorkspaceSnapshotRegistered) {
      Gauge.builder(
              "openclaw_backup_last_success_timestamp_seconds",
              lastWorkspaceSnapshot,
              AtomicLong::get)
          .description("When the last backup of this kind succeeded (Unix time)")
          .tag("kind", "workspaces")
          .register(registry);
      lastWorkspaceSnapshotRegistered = true;
    }
  }

  public void reconciled(Duration took) {
    reconcile.record(took);
  }

  /** Reads the queue's and the boxes' counts from PostgreSQL. */
  public void refresh(Database database, JobStore jobs, BoxStore boxStore) {
    Map<JobType, Long> queuedNow = jobs.countQueuedByType();
    queued.forEach((type, count) -> count.set(queuedNow.getOrDefault(type, 0L)));
    dead.set(jobs.countByStatus().getOrDefault(JobStatus.DEAD, 0L));
    Map<BoxObservedState, Long> boxesNow = boxStore.countLiveByObservedState(database.execute());
    boxes.forEach((state, count) -> count.set(boxesNow.getOrDefault(state, 0L)));
  }
}
