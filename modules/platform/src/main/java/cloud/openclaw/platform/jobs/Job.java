package cloud.openclaw.platform.jobs;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of operator_jobs. {@code payload} is JSON text; {@code requestId} is that of what
 * enqueued it (null: nothing did, or before it was recorded), for its run's log lines.
 */
public record Job(
    UUID id,
    JobType type,
    UUID boxId,
    String payload,
    JobStatus status,
    int attempts,
    int maxAttempts,
    Instant nextAttemptAt,
    String lockedBy,
    Instant lockedUntil,
    String lastError,
    String idempotencyKey,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    String requestId) {}
