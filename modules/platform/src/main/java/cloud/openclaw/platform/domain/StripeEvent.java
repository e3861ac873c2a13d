package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A Stripe webhook event as received, kept so that each is processed once. {@code payload} is the
 * event's JSON; {@code receivedAt} and {@code processedAt} are null until the database sets them.
 */
public record StripeEvent(
    String id,
    String type,
    Instant created,
    String payload,
    Instant receivedAt,
    Instant processedAt) {
  public StripeEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(payload, "payload");
  }

  /** An event just received, not yet stored. */
  public static StripeEvent received(String id, String type, Instant created, String payload) {
    return new StripeEvent(id, type, created, payload, null, null);
  }

  public boolean processed() {
    return processedAt != null;
  }
}
