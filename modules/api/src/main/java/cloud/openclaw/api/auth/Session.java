package cloud.openclaw.api.auth;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Who a verified token speaks for: the email signed in with, the customer behind it (null for an
 * admin who is no customer), the roles, and the token's own id and end (for revocation).
 */
public record Session(
    String email, UUID customerId, Set<String> roles, String tokenId, Instant expiresAt) {
  public static final String CUSTOMER = "customer";
  public static final String ADMIN = "admin";

  public Session {
    roles = Set.copyOf(roles);
  }

  public boolean isAdmin() {
    return roles.contains(ADMIN);
  }
}
