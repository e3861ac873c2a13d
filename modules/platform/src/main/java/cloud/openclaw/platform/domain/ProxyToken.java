package cloud.openclaw.platform.domain;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * A box's credential at the token proxy, as stored: the SHA-256 of the token (the cache key) and a
 * prefix a person can recognise, never the token itself. {@code boxId} is null for a token of one
 * of the platform's own accounts, which has no box.
 */
public record ProxyToken(
    UUID id,
    UUID boxId,
    byte[] tokenHash,
    String tokenPrefix,
    ProxyTokenStatus status,
    Instant createdAt,
    Instant updatedAt,
    Instant lastUsedAt,
    Instant revokedAt) {

  public ProxyToken {
    tokenHash = tokenHash.clone();
  }

  @Override
  public byte[] tokenHash() {
    return tokenHash.clone();
  }

  /** The hash in lowercase hex, e.g. for a cache key. */
  public String tokenHashHex() {
    return HexFormat.of().formatHex(tokenHash);
  }

  public boolean isActive() {
    return status == ProxyTokenStatus.ACTIVE;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ProxyToken that
        && id.equals(that.id)
        && Objects.equals(boxId, that.boxId)
        && Arrays.equals(tokenHash, that.tokenHash)
        && tokenPrefix.equals(that.tokenPrefix)
        && status == that.status
        && Objects.equals(createdAt, that.createdAt)
        && Objects.equals(updatedAt, that.updatedAt)
        && Objects.equals(lastUsedAt, that.lastUsedAt)
        && Objects.equals(revokedAt, that.revokedAt);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "ProxyToken[id="
        + id
        + ", boxId="
        + boxId
        + ", prefix="
        + tokenPrefix
        + ", status="
        + status
        + "]";
  }
}
