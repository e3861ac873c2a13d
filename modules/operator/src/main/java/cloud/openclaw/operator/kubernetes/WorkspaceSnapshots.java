package cloud.openclaw.operator.kubernetes;

import cloud.openclaw.operator.OperatorMetrics;
import cloud.openclaw.operator.workspaces.WorkspaceStore;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.redis.RedisLock;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The nightly snapshot of every running Kubernetes box's workspace to the store, so that a lost
 * node or volume does not lose the agents' memory of the boxes that are still alive. A pass lists
 * the running boxes (two requests, as the reconciler's) and runs a {@link
 * WorkspaceBackupResources#snapshotJob} in each box's namespace, to the same object as a destroy's
 * archive (the customer's {@code workspaces/<customer id>.tar.gz}: the newest wins), while the
 * gateway keeps running.
 *
 * <p>Jobs are created {@code concurrency} at a time, and each batch is waited for (at most the
 * store's archive-timeout and a margin: the Jobs' own deadline) before the next: the simplest way
 * to keep a pass from starting hundreds of pods and uploads at once, and to know when the pass is
 * over, which is what the last-success time must say. Spreading the Jobs over the interval would
 * load the cluster more evenly, but a pass would never be "done" before the next began. A typical
 * snapshot takes seconds, so 500 boxes by 10 take minutes; the worst case (every Job timing out) is
 * bounded by {@code boxes / concurrency × archive-timeout}.
 *
 * <p>Each Job's name is {@link WorkspaceBackupResources#snapshotJobName} of the pass's start: a
 * pass run again the same day finds the Jobs it made and creates none twice. A box whose Job fails,
 * times out or cannot be created is logged and counted ({@code
 * openclaw_workspace_archives_total{reason="snapshot",outcome="failed"}}) and the pass goes on with
 * the others; only a pass with no failure sets the last-success time ({@code
 * openclaw_backup_last_success_timestamp_seconds{kind="workspaces"}}, alert BackupLate).
 */
public final class WorkspaceSnapshots {
  private static final Logger LOG = Logger.getLogger(WorkspaceSnapshots.class.getName());
  private static final int CONFLICT = 409;

  /** How often each replica looks whether a pass is due (and refreshes the last-success time). */
  static final Duration TICK = Duration.ofMinutes(5);

  /** How long past the Jobs' own deadline a batch is waited for (the Job controller's delay). */
  private static final Duration MARGIN = Duration.ofMinutes(1);

  private final KubernetesRuntime runtime;
  private final KubernetesClient client;
  private final KubernetesSettings settings;
  private final WorkspaceStore store;
  private final Schedule schedule;
  private final Clock clock;
  private final OperatorMetrics metrics;
  private final Duration poll;

  /**
   * When passes run and how many Jobs at once ({@code operator.workspaces.snapshot-interval},
   * {@code operator.workspaces.snapshot-concurrency}).
   */
  public record Schedule(Duration interval, int concurrency) {
    public static final Duration MIN_INTERVAL = Duration.ofHours(1);

    public Schedule {
      if (interval.compareTo(MIN_INTERVAL) < 0) {
        throw new IllegalArgumentException("snapshots run at most hourly, not every " + interval);
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("at least one Job at a time, not " + concurrency);
      }
    }

    public static Schedule from(Settings settings) {
      String key = WorkspaceStore.PREFIX + "snapshot-interval";
      Duration interval = settings.duration(key);
      if (interval.compareTo(MIN_INTERVAL) < 0) {
        throw new ConfigurationException(key, interval + " is shorter than an hour (PT1H)");
      }
      return new Schedule(
          interval, settings.integer(WorkspaceStore.PREFIX + "snapshot-concurrency", 1, 1000));
    }
  }

  /** What one pass did: running boxes found, snapshots that succeeded and that failed. */
  public record Report(String jobName, int boxes, int succeeded, int failed) {
    /** Every running box's workspace is in the store. */
    public boolean complete() {
      return failed == 0 && succeeded == boxes;
    }
  }

  public WorkspaceSnapshots(
      KubernetesRuntime runtime,
      KubernetesClient client,
      KubernetesSettings settings,
      WorkspaceStore store,
      Schedule schedule,
      Clock clock,
      OperatorMetrics metrics) {
    this(runtime, client, settings, store, schedule, clock, metrics, Duration.ofSeconds(2));
  }

  /** With {@code poll}: how often a batch's Jobs are read while it runs. */
  WorkspaceSnapshots(
      KubernetesRuntime runtime,
      KubernetesClient client,
      KubernetesSettings settings,
      WorkspaceStore store,
      Schedule schedule,
      Clock clock,
      OperatorMetrics metrics,
      Duration poll) {
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.client = Objects.requireNonNull(client, "client");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.store = Objects.requireNonNull(store, "store");
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.poll = Objects.requireNonNull(poll, "poll");
  }

  /**
   * One pass over the running boxes, now. Only a failure to list the boxes throws; a box's failure
   * is counted in the report.
   */
  public Report runOnce() {
    Instant started = clock.instant();
    String jobName = WorkspaceBackupResources.snapshotJobName(started, schedule.interval());
    List<WorkspaceBackupResources.SnapshotTarget> boxes = runtime.listRunning();
    int succeeded = 0;
    int failed = 0;
    for (int from = 0; from < boxes.size(); from += schedule.concurrency()) {
      var batch = boxes.subList(from, Math.min(boxes.size(), from + schedule.concurrency()));
      Map<WorkspaceBackupResources.SnapshotTarget, String> outcomes = runBatch(batch, jobName);
      for (var entry : outcomes.entrySet()) {
        var box = entry.getKey();
        boolean ok = entry.getValue() == null;
        metrics.workspaceArchived(OperatorMetrics.ArchiveReason.SNAPSHOT, ok);
        if (ok) {
          succeeded++;
        } else {
          failed++;
          LOG.warning(
              "box "
                  + box.boxId()
                  + " of customer "
                  + box.customerId()
                  + ": workspace snapshot FAILED, "
                  + entry.getValue()
                  + "; the customer's previous archive, if any, is kept");
        }
      }
    }
    Report report = new Report(jobName, boxes.size(), succeeded, failed);
    if (report.complete()) {
      metrics.workspacesSnapshotted(clock.instant());
    }
    return report;
  }

  /**
   * Creates the batch's Jobs (or finds them, from an earlier run of the pass) and waits until each
   * has finished or the batch's time is up.
   *
   * @return for each box, null when its snapshot succeeded, else what went wrong
   */
  private Map<WorkspaceBackupResources.SnapshotTarget, String> runBatch(
      List<WorkspaceBackupResources.SnapshotTarget> batch, String jobName) {
    Map<WorkspaceBackupResources.SnapshotTarget, String> outcomes = new LinkedHashMap<>();
    List<WorkspaceBackupResources.SnapshotTarget> waiting = new ArrayList<>();
    for (var box : batch) {
      try {
        ensureJob(box, jobName);
        waiting.add(box);
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "snapshot Job of " + box.namespace(), e);
        outcomes.put(box, "its Job could not be created: " + e.getMessage());
      }
    }
    Instant deadline = clock.instant().plus(store.archiveTimeout()).plus(MARGIN);
    while (!waiting.isEmpty()) {
      for (var it = waiting.iterator(); it.hasNext(); ) {
        var box = it.next();
        String outcome;
        try {
          outcome = finished(box, jobName);
        } catch (KubernetesClientException e) {
          continue; // read again next round; the deadline bounds it
        }
        if (outcome != null) {
          outcomes.put(box, outcome.isEmpty() ? null : outcome);
          it.remove();
        }
      }
      if (waiting.isEmpty()) {
        break;
      }
      if (clock.instant().isAfter(deadline)) {
        for (var box : waiting) {
          outcomes.put(box, "its Job did not finish within " + store.archiveTimeout());
        }
        break;
      }
      sleep(poll);
    }
    return outcomes;
  }

  private void ensureJob(WorkspaceBackupResources.SnapshotTarget box, String jobName) {
    var jobs = client.batch().v1().jobs().inNamespace(box.namespace());
    if (jobs.withName(jobName).get() != null) {
      return;
    }
    Job desired =
        WorkspaceBackupResources.snapshotJob(
            box,
            settings,
            jobName,
            store.archiveUrl(box.customerId(), clock),
            store.archiveTimeout());
    try {
      client.resource(desired).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != CONFLICT) {
        throw e;
      }
    }
  }

  /** Empty when the box's Job succeeded, what went wrong when it failed, null while it runs. */
  private String finished(WorkspaceBackupResources.SnapshotTarget box, String jobName) {
    Job job = client.batch().v1().jobs().inNamespace(box.namespace()).withName(jobName).get();
    if (job == null) {
      return "its Job is gone (the namespace deleted meanwhile?)";
    }
    if (KubernetesRuntime.jobSucceeded(job)) {
      return "";
    }
    if (KubernetesRuntime.jobFailed(job)) {
      return "its Job failed (kubectl -n " + box.namespace() + " logs job/" + jobName + ")";
    }
    return null;
  }

  /**
   * Every {@link #TICK}: exports the last fully successful pass's time (kept in Redis, so that
   * every replica and a restarted operator report it), and runs a pass when none ran within the
   * interval. The operator has no leader election; a Redis lock whose lease is the interval is
   * taken by the replica that runs the pass and kept until the lease ends, so that one pass runs
   * per interval whatever the replicas and restarts. A pass that could not even list the boxes
   * frees it, so that the next tick tries again. A replica that dies during its pass holds it until
   * the lease ends: that day has no snapshot, and BackupLate tells when it happens twice.
   */
  public AutoCloseable start(Redis redis) {
    RedisLock lock =
        new RedisLock(redis, redis.key("operator", "workspace-snapshots"), schedule.interval());
    String lastSuccess = redis.key("operator", "workspace-snapshots", "last-success");
    return Periodic.start("workspace-snapshots", TICK, () -> tick(redis, lock, lastSuccess));
  }

  void tick(Redis redis, RedisLock lock, String lastSuccessKey) {
    lastSuccess(redis, lastSuccessKey).ifPresent(metrics::workspacesSnapshotted);
    Optional<RedisLock.Lease> lease = lock.tryTake();
    if (lease.isEmpty()) {
      return;
    }
    Report report;
    try {
      report = runOnce();
    } catch (RuntimeException e) {
      lease.get().close();
      throw e;
    }
    if (report.complete()) {
      redis.client().set(lastSuccessKey, Long.toString(clock.instant().getEpochSecond()));
    }
    LOG.info(
        "workspace snapshots ("
            + report.jobName()
            + "): "
            + report.succeeded()
            + " of "
            + report.boxes()
            + " running boxes copied to "
            + store.bucket()
            + (report.failed() > 0 ? ", " + report.failed() + " FAILED" : "")
            + "; next pass in "
            + schedule.interval());
  }

  private static Optional<Instant> lastSuccess(Redis redis, String key) {
    String value = redis.client().get(key);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.ofEpochSecond(Long.parseLong(value)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for snapshot Jobs", e);
    }
  }
}
