package cloud.openclaw.operator.jobs;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.jobs.Job;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes a job's progress on the customer's live channel: {@code {"boxId","job","step",
 * "message","at"}} (plus extra fields such as {@code durationMs}), and appends each step to the job
 * row ({@code operator_jobs.steps}: {@code {"step","message","at","attempt"}} plus the extra
 * fields), so a job's history outlives the live events. Both are best effort: a lost event or an
 * unrecorded step never fails a job. Each step is logged too, the milestones ({@code scheduled},
 * {@code ready}, {@code bot}, {@code live}, ...) at INFO: one line per step in dev mode's console.
 */
public final class Progress {
  private static final Logger LOG = Logger.getLogger(Progress.class.getName());

  /** Steps logged at INFO (the others at FINE): where a box's life visibly moves on. */
  private static final Set<String> MILESTONES =
      Set.of(
          "scheduled",
          "ready",
          "bot",
          "bot_refused",
          "live",
          "suspended",
          "updated",
          "destroyed",
          "failed");

  private static final String APPEND_STEP =
      "UPDATE operator_jobs SET steps = steps || ?::jsonb WHERE id = ?";

  private final EventBus bus;
  private final Database database;
  private final Clock clock;
  // The last step each running job published: the step a failure is counted against.
  private final Map<java.util.UUID, String> lastSteps =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param database where the job rows are; null to publish events only
   */
  public Progress(EventBus bus, Database database, Clock clock) {
    this.bus = bus;
    this.database = database;
    this.clock = clock;
  }

  public void step(Job job, Box box, String step, String message) {
    step(job, box, step, message, Map.of());
  }

  public void step(Job job, Box box, String step, String message, Map<String, Object> extra) {
    if (!"failed".equals(step)) {
      lastSteps.put(job.id(), step);
    }
    String at = publish(box, job.type().dbValue(), step, message, extra);
    record(job, step, message, at, extra);
  }

  /** The last step {@code job} published before now ({@code start} if none), forgotten after. */
  public String forget(Job job) {
    String last = lastSteps.remove(job.id());
    return last == null ? "start" : last;
  }

  /**
   * An event about the box from outside a job (the bot watcher, {@code job} names it), on the
   * customer's live channel only.
   */
  public void event(Box box, String job, String step, String message) {
    publish(box, job, step, message, Map.of());
  }

  private String publish(
      Box box, String job, String step, String message, Map<String, Object> extra) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("boxId", box.id().toString());
    event.put("job", job);
    event.put("step", step);
    event.put("message", message);
    String at = clock.instant().toString();
    event.put("at", at);
    event.putAll(extra);
    LOG.log(
        MILESTONES.contains(step) ? Level.INFO : Level.FINE,
        "box {0} {1} {2}: {3}",
        new Object[] {box.id(), job, step, message});
    try {
      bus.publish(EventBus.customerChannel(box.customerId()), Json.write(event));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "progress event for box " + box.id() + " not published", e);
    }
    return at;
  }

  private void record(Job job, String step, String message, String at, Map<String, Object> extra) {
    if (database == null) {
      return;
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("step", step);
    entry.put("message", message);
    entry.put("at", at);
    entry.put("attempt", job.attempts());
    entry.putAll(extra);
    try {
      database.execute().dml(APPEND_STEP, Json.write(List.of(entry)), job.id());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "step " + step + " of job " + job.id() + " not recorded", e);
    }
  }
}
