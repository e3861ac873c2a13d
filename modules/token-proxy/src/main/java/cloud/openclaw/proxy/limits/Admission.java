package cloud.openclaw.proxy.limits;

import java.util.UUID;

/** An admitted request's hold on its customer's allowance, to settle when it ends. */
public record Admission(
    UUID customerId, String quotaKey, String holdsKey, String holdMember, long held) {}
