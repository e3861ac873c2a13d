package cloud.openclaw.platform.jobs;

import java.util.Objects;
import java.util.UUID;

/**
 * A job to enqueue. The idempotency key names the cause (for example the Stripe event id), so the
 * same cause enqueued twice yields one job.
 */
public record NewJob(JobType type, UUID boxId, String payload, String idempotencyKey) {
  public NewJob {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(boxId, "boxId");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    payload = payload == null || payload.isBlank() ? "{}" : payload;
  }
}
