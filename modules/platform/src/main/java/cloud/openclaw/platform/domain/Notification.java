package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.UUID;

/** An email in the outbox, pending or sent. */
public record Notification(
    UUID id,
    UUID customerId,
    NotificationKind kind,
    String recipient,
    String subject,
    String body,
    String dedupeKey,
    String status,
    int attempts,
    Instant nextAttemptAt,
    String lastError,
    Instant createdAt,
    Instant sentAt) {}
