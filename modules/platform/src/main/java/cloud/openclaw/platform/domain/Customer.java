package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * A paying (or signing-up) person; telegram user, plan and Stripe customer may come later. An
 * account of the platform's own is {@link CustomerKind#PLATFORM}.
 */
public record Customer(
    UUID id,
    String email,
    Long telegramUserId,
    String displayName,
    CustomerStatus status,
    String plan,
    String stripeCustomerId,
    Instant createdAt,
    Instant updatedAt,
    CustomerKind kind) {

  public boolean isPlatform() {
    return kind == CustomerKind.PLATFORM;
  }
}
