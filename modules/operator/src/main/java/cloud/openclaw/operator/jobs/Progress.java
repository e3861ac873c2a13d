package cloud.openclaw.operator.jobs;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.jobs.Job;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes a job's progress on the customer's live channel: {@code {"boxId","job","step",
 * "message","at"}} (plus extra fields such as {@code durationMs}). Step history lives only in these
 * events; the job row keeps its status and last error. Publishing is best effort: a lost event
 * never fails a job.
 */
public final class Progress {
  private static final Logger LOG = Logger.getLogger(Progress.class.getName());

  private final EventBus bus;
  private final Clock clock;

  public Progress(EventBus bus, Clock clock) {
    this.bus = bus;
    this.clock = clock;
  }

  public void step(Job job, Box box, String step, String message) {
    step(job, box, step, message, Map.of());
  }

  public void step(Job job, Box box, String step, String message, Map<String, Object> extra) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("boxId", box.id().toString());
    event.put("job", job.type().dbValue());
    event.put("step", step);
    event.put("message", message);
    event.put("at", clock.instant().toString());
    event.putAll(extra);
    try {
      bus.publish(EventBus.customerChannel(box.customerId()), Json.write(event));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "progress event for box " + box.id() + " not published", e);
    }
  }
}
