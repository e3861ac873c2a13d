package cloud.openclaw.operator.jobs;

import cloud.openclaw.operator.OperatorMetrics;
import cloud.openclaw.operator.bots.BotCheck;
import cloud.openclaw.operator.runtime.GatewayRuntime;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobFailedException;
import cloud.openclaw.platform.jobs.JobHandler;
import cloud.openclaw.platform.jobs.JobSupersededException;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.logging.LogContext;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The operator's job handler: dispatches by job type to small steps, each idempotent, so a job run
 * twice (after a crash, or a retry) ends in the same state without error. The steps run on the
 * box's runtime ({@link Runtimes#forBox}: Kubernetes or local processes), the same for both.
 *
 * <p>Each job acts on the box as it is when the job runs, not as it was when the job was enqueued:
 * a suspend of a box meant to run again, a reactivate of a box suspended since, a destroy of a box
 * no longer meant to be destroyed and anything of a box being destroyed end at once as {@code
 * superseded} (step {@code superseded}, saying why), since a later job of the box does what is
 * wanted now; a job waiting for the gateway to start stops waiting the same way once the box is no
 * longer meant to run. The queue runs one job of a box at a time, in order, so the last job always
 * sees the last desired state.
 *
 * <p>Progress goes to the customer's live channel ({@link Progress}); a failure publishes step
 * {@code failed} with a reason a person can understand and records it as the box's last error.
 * Retryable failures (Kubernetes or the token proxy unreachable, the gateway not ready in time) are
 * thrown on so that the queue retries with backoff; the box is marked failed only on the last
 * attempt or when retrying cannot help.
 */
public final class BoxJobs implements JobHandler {
  private static final Logger LOG = Logger.getLogger(BoxJobs.class.getName());
  private static final Duration POLL = Duration.ofMillis(250);

  private final Database database;
  private final BoxStore boxes;
  private final Runtimes runtimes;
  private final TokenProxyClient proxy;
  private final ProxyTokenStep tokenStep;
  private final Progress progress;
  private final Duration readyTimeout;
  private final Clock clock;
  private final BotCheck bots;
  private final OperatorMetrics metrics;

  /**
   * A box runs once its gateway serves and, with {@code bots}, its bot answered Telegram ({@code
   * bots} null: no bot check, for tests with no Telegram); each attempt, failure and paid → live
   * time goes to {@code metrics}.
   */
  public BoxJobs(
      Database database,
      BoxStore boxes,
      Runtimes runtimes,
      TokenProxyClient proxy,
      Progress progress,
      Duration readyTimeout,
      Clock clock,
      BotCheck bots,
      OperatorMetrics metrics) {
    this.bots = bots;
    this.metrics = metrics;
    this.database = database;
    this.boxes = boxes;
    this.runtimes = runtimes;
    this.proxy = proxy;
    this.tokenStep = new ProxyTokenStep(boxes, database, proxy);
    this.progress = progress;
    this.readyTimeout = readyTimeout;
    this.clock = clock;
  }

  @Override
  public void handle(Job job) throws Exception {
    Instant started = clock.instant();
    OperatorMetrics.Outcome outcome = OperatorMetrics.Outcome.FAILED;
    try {
      run(job);
      outcome = OperatorMetrics.Outcome.SUCCEEDED;
    } catch (JobSupersededException e) {
      outcome = OperatorMetrics.Outcome.SUPERSEDED;
      throw e;
    } finally {
      String step = progress.forget(job);
      if (outcome == OperatorMetrics.Outcome.FAILED) {
        metrics.jobFailed(job.type(), step);
      }
      metrics.job(job.type(), outcome, Duration.between(started, clock.instant()));
    }
  }

  private void run(Job job) throws Exception {
    Box box =
        boxes
            .find(job.boxId())
            .orElseThrow(() -> new JobFailedException("box " + job.boxId() + " no longer exists"));
    LogContext.customer(box.customerId()); // for the rest of the job's run (JobWorker's scope)
    Optional<String> stale = stale(job.type(), box);
    if (stale.isPresent()) {
      throw superseded(job, box, stale.get());
    }
    try {
      GatewayRuntime runtime = runtimes.forBox(box);
      switch (job.type()) {
        case PROVISION -> provision(job, box, runtime);
        case SUSPEND -> suspend(job, box, runtime);
        case REACTIVATE -> reactivate(job, box, runtime);
        case UPDATE -> update(job, box, runtime);
        case DESTROY -> destroy(job, box, runtime);
      }
    } catch (JobSupersededException e) {
      throw e;
    } catch (Exception e) {
      failed(job, box, e);
      throw e;
    }
  }

  /** Why a job of this type has nothing to do for the box as it is now, if so. */
  private static Optional<String> stale(JobType type, Box box) {
    boolean destroying =
        box.destroyedAt() != null || box.desiredState() == BoxDesiredState.DESTROYED;
    String reason =
        switch (type) {
          case DESTROY -> destroying ? null : "your agent is no longer to be deleted";
          case SUSPEND ->
              destroying
                  ? "your agent is being deleted"
                  : box.desiredState() == BoxDesiredState.RUNNING
                      ? "your agent is meant to run again"
                      : null;
          case REACTIVATE ->
              destroying
                  ? "your agent is being deleted"
                  : box.desiredState() == BoxDesiredState.SUSPENDED
                      ? "your agent is meant to stay paused"
                      : null;
          case PROVISION, UPDATE -> destroying ? "your agent is being deleted" : null;
        };
    return Optional.ofNullable(reason);
  }

  /** Step superseded, then the exception that ends the job so (not an error, nothing retried). */
  private JobSupersededException superseded(Job job, Box box, String why) {
    String message = "Skipped: " + why + "; a later change takes care of it.";
    LOG.info("job " + job.id() + " (" + job.type().dbValue() + ") of box " + box.id() + ": " + why);
    progress.step(job, box, "superseded", message);
    return new JobSupersededException(message);
  }

  private void provision(Job job, Box box, GatewayRuntime runtime) {
    progress.step(job, box, "accepted", "Setting up your agent.");
    box = applyAll(job, box, runtime).box();
    if (box.desiredState() == BoxDesiredState.SUSPENDED) {
      runtime.scale(box, false);
      observe(box, BoxObservedState.SUSPENDED);
      progress.step(job, box, "suspended", "Your agent is set up and paused.");
      return;
    }
    awaitAvailable(job, box, runtime);
    if (running(job, box)) {
      // The provision job is enqueued in the payment's transaction: its creation is the payment.
      metrics.paidToLive(Duration.between(job.createdAt(), clock.instant()));
      progress.step(job, box, "live", "Your agent is live.");
    }
  }

  /** The box after {@link #applyAll}, and whether the runtime (re)started its gateway. */
  private record Applied(Box box, boolean restarted) {}

  /** Token, config and resources: what provision and update share. */
  private Applied applyAll(Job job, Box box, GatewayRuntime runtime) {
    ProxyTokenStep.Result token = tokenStep.run(box, runtime);
    if (token.suspended() && box.desiredState() == BoxDesiredState.RUNNING) {
      boxTokens(box, "resume"); // left suspended by a pause this job takes back
    }
    progress.step(
        job,
        box,
        "token",
        token.issued()
            ? "Issued your agent's access to the model."
            : "Your agent's access to the model is in place.");
    progress.step(job, box, "config", "Prepared your agent's configuration.");
    boolean restarted = runtime.apply(box, token.secrets());
    tokenStep.revokeStale(box, token);
    if (!token.suspended() && box.desiredState() == BoxDesiredState.SUSPENDED) {
      boxTokens(box, "suspend"); // a paused box's gateway is stopped and its token too
    }
    String namespace = runtime.namespace(box).orElse(null);
    if (namespace != null && !namespace.equals(box.namespace())) {
      box = boxes.setNamespace(database.execute(), box.id(), namespace);
    }
    if (box.observedState() != BoxObservedState.RUNNING
        && box.observedState() != BoxObservedState.SUSPENDED) {
      box = observe(box, BoxObservedState.PROVISIONING);
    }
    progress.step(job, box, "resources", "Created your agent's private space.");
    return new Applied(box, restarted);
  }

  /**
   * Waits until the gateway serves. Step scheduled is published once the runtime has placed it (or,
   * when the runtime saw it serving first, then), starting right after.
   */
  private void awaitAvailable(Job job, Box box, GatewayRuntime runtime) {
    Instant deadline = clock.instant().plus(readyTimeout);
    boolean scheduled = false;
    while (true) {
      boolean available = runtime.isAvailable(box);
      if (!scheduled && (available || runtime.isScheduled(box))) {
        progress.step(job, box, "scheduled", "Your agent has been scheduled to start.");
        progress.step(job, box, "starting", "Waiting for your agent to start.");
        scheduled = true;
      }
      if (available) {
        return;
      }
      Box now = boxes.find(box.id()).orElse(box);
      if (now.desiredState() != BoxDesiredState.RUNNING) {
        throw superseded(
            job,
            now,
            now.desiredState() == BoxDesiredState.SUSPENDED
                ? "your agent is meant to be paused now"
                : "your agent is being deleted");
      }
      if (clock.instant().isAfter(deadline)) {
        throw new UnavailableException(
            "your agent did not start within " + readyTimeout.toSeconds() + " seconds", null);
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnavailableException("interrupted while waiting for the agent to start", e);
      }
    }
  }

  /** The gateway serves: the box runs, once its bot answered ({@link BotCheck#confirm}). */
  private boolean running(Job job, Box box) {
    if (bots == null) {
      observe(box, BoxObservedState.RUNNING);
      return true;
    }
    return bots.confirm(job, box);
  }

  private void suspend(Job job, Box box, GatewayRuntime runtime) {
    progress.step(job, box, "accepted", "Pausing your agent.");
    runtime.scale(box, false);
    progress.step(job, box, "resources", "Stopped your agent.");
    boxTokens(box, "suspend");
    progress.step(job, box, "token", "Paused your agent's access to the model.");
    observe(box, BoxObservedState.SUSPENDED);
    progress.step(job, box, "suspended", "Your agent is paused.");
  }

  private void reactivate(Job job, Box box, GatewayRuntime runtime) {
    progress.step(job, box, "accepted", "Resuming your agent.");
    boxTokens(box, "resume");
    progress.step(job, box, "token", "Restored your agent's access to the model.");
    if (!runtime.scale(box, true)) {
      // Never applied (or wiped): set everything up as a provision would.
      box = applyAll(job, box, runtime).box();
      runtime.scale(box, true);
    } else {
      progress.step(job, box, "resources", "Started your agent again.");
    }
    awaitAvailable(job, box, runtime);
    if (running(job, box)) {
      // The provision job is enqueued in the payment's transaction: its creation is the payment.
      metrics.paidToLive(Duration.between(job.createdAt(), clock.instant()));
      progress.step(job, box, "live", "Your agent is live.");
    }
  }

  private void update(Job job, Box box, GatewayRuntime runtime) {
    progress.step(job, box, "accepted", "Applying your agent's new settings.");
    Applied applied = applyAll(job, box, runtime);
    box = applied.box();
    if (!applied.restarted()) {
      runtime.restart(box);
    }
    if (box.desiredState() == BoxDesiredState.RUNNING) {
      awaitAvailable(job, box, runtime);
      running(job, box);
    }
    progress.step(job, box, "updated", "Your agent's new settings are in effect.");
  }

  private void destroy(Job job, Box box, GatewayRuntime runtime) {
    Instant started = clock.instant();
    progress.step(job, box, "accepted", "Deleting your agent.");
    if (box.destroyedAt() == null) {
      box = observe(box, BoxObservedState.DESTROYING);
    }
    boxTokens(box, "revoke");
    progress.step(job, box, "token", "Revoked your agent's access to the model.");
    runtime.delete(box);
    progress.step(job, box, "resources", "Deleted your agent's private space.");
    box = observe(box, BoxObservedState.DESTROYED);
    long millis = Duration.between(started, clock.instant()).toMillis();
    progress.step(
        job,
        box,
        "destroyed",
        "Your agent has been deleted (took " + Math.max(1, (millis + 999) / 1000) + " s).",
        Map.of("durationMs", millis));
  }

  /**
   * Suspend, resume or revoke every token of the box; a box the proxy has no tokens for is fine.
   */
  private void boxTokens(Box box, String action) {
    try {
      proxy.boxTokens(box.id(), action);
    } catch (NotFoundException e) {
      LOG.fine("box " + box.id() + " has no proxy tokens to " + action);
    }
  }

  private Box observe(Box box, BoxObservedState state) {
    return boxes.markObserved(database.execute(), box.id(), state, null);
  }

  /**
   * Publishes step failed and records the reason on the box. The box is marked failed when no retry
   * will follow; otherwise it keeps its observed state.
   */
  private void failed(Job job, Box box, Exception e) {
    boolean last = e instanceof JobFailedException || job.attempts() >= job.maxAttempts();
    String reason = reason(e) + (last ? "" : " We will try again shortly.");
    progress.step(job, box, "failed", reason);
    try {
      Box current = boxes.find(box.id()).orElse(box);
      if (current.destroyedAt() != null) {
        return;
      }
      BoxObservedState state = last ? BoxObservedState.FAILED : current.observedState();
      boxes.markObserved(database.execute(), box.id(), state, reason);
    } catch (RuntimeException suppressed) {
      LOG.log(Level.WARNING, "could not record the failure of box " + box.id(), suppressed);
    }
  }

  private static String reason(Exception e) {
    if (e instanceof UnavailableException) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      if (message.startsWith("your agent")) {
        return capitalize(message) + ".";
      }
      return "A service your agent depends on is temporarily unavailable (" + message + ").";
    }
    if (e instanceof JobFailedException) {
      return "Your agent could not be set up: " + e.getMessage() + ".";
    }
    if (e instanceof io.fabric8.kubernetes.client.KubernetesClientException) {
      return "The cluster refused a change to your agent (" + e.getMessage() + ").";
    }
    return "Something went wrong while working on your agent (" + e.getMessage() + ").";
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
