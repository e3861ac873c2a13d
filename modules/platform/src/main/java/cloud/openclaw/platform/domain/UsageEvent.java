package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One proxied request's usage. {@code requestId} makes recording idempotent; {@code recordedAt} is
 * set by the database (null on events not yet stored). Cached tokens are part of the prompt tokens
 * and reasoning tokens part of the completion tokens, as the upstream APIs count them. {@code
 * boxId} is null for a platform account's requests (they come from no box).
 */
public record UsageEvent(
    String requestId,
    UUID customerId,
    UUID boxId,
    String model,
    long promptTokens,
    long completionTokens,
    long cachedTokens,
    long reasoningTokens,
    UsageOutcome outcome,
    boolean estimated,
    Integer upstreamLatencyMs,
    Integer proxyOverheadUs,
    Instant occurredAt,
    Instant recordedAt) {
  public UsageEvent {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(occurredAt, "occurredAt");
  }

  /** The tokens that count against the allowance. */
  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
