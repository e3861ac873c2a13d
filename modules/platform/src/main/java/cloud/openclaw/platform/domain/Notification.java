package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.UUID;

/** A notification in the outbox (an email or a Telegram message), pending, sent or dead. */
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
    Instant sentAt,
    NotificationChannel channel) {}
