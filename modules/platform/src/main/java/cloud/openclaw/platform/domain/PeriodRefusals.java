package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.UUID;

/** How many requests the proxy has refused a customer so far in the period starting then. */
public record PeriodRefusals(UUID customerId, Instant periodStart, long refused) {}
