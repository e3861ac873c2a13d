package cloud.openclaw.proxy.auth;

import cloud.openclaw.platform.domain.ProxyTokenStatus;
import java.util.UUID;

/** What a proxy token lets its holder do: whose it is and whether it is usable now. */
public record TokenGrant(UUID tokenId, UUID boxId, UUID customerId, ProxyTokenStatus status) {}
