package cloud.openclaw.platform.jobs;

import java.util.Objects;
import java.util.UUID;

/**
 * A job to enqueue. The idempotency key names the cause (for example the Stripe event id), so the
 * same cause enqueued twice yields one job. The request id is that of the cause; null: the one of
 * the enqueueing thread's {@link cloud.openclaw.platform.logging.LogContext}, if any.
 */
public record NewJob(
    JobType type, UUID boxId, String payload, String idempotencyKey, String requestId) {
  public NewJob(JobType type, UUID boxId, String payload, String idempotencyKey) {
    this(type, boxId, payload, idempotencyKey, null);
  }

  public NewJob {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(boxId, "boxId");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    payload = payload == null || payload.isBlank() ? "{}" : payload;
  }
}
