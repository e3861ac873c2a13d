package cloud.openclaw.platform.store;

import cloud.openclaw.platform.crypto.ProxyTokens;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.domain.IssuedToken;
import cloud.openclaw.platform.domain.ProxyToken;
import cloud.openclaw.platform.domain.ProxyTokenStatus;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.NotFoundException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Proxy tokens, stored as SHA-256 and a visible prefix only. Suspension can be undone; revocation
 * cannot.
 */
public final class ProxyTokenStore {
  // Only for a live box: a destroyed box gets no new credential.
  private static final String INSERT =
      """
      INSERT INTO proxy_tokens (box_id, token_hash, token_prefix)
      SELECT id, ?, ? FROM boxes WHERE id = ? AND destroyed_at IS NULL
      RETURNING *\
      """;
  // Only for an account of the platform's own (customers.kind = 'platform'), which has no box.
  private static final String INSERT_FOR_PLATFORM =
      """
      INSERT INTO proxy_tokens (customer_id, token_hash, token_prefix)
      SELECT id, ?, ? FROM customers WHERE id = ? AND kind = 'platform'
      RETURNING *\
      """;
  private static final String FIND = "SELECT * FROM proxy_tokens WHERE id = ?";
  private static final String FIND_BY_HASH = "SELECT * FROM proxy_tokens WHERE token_hash = ?";
  private static final String FIND_OWNED_BY_HASH =
      """
      SELECT t.*, coalesce(b.customer_id, t.customer_id) AS owner_id
      FROM proxy_tokens t LEFT JOIN boxes b ON b.id = t.box_id
      WHERE t.token_hash = ?\
      """;
  private static final String LIST_FOR_BOX =
      "SELECT * FROM proxy_tokens WHERE box_id = ? ORDER BY created_at DESC, id DESC";
  private static final String LIST_ACTIVE_FOR_BOX =
      """
      SELECT * FROM proxy_tokens WHERE box_id = ? AND status = 'active'
      ORDER BY created_at DESC, id DESC\
      """;
  // A revoked token keeps its status and revocation time whatever is asked.
  private static final String SET_STATUS =
      """
      UPDATE proxy_tokens SET status = ?, updated_at = now(),
          revoked_at = CASE WHEN ? = 'revoked' THEN now() ELSE NULL END
      WHERE id = ? AND status <> 'revoked'
      RETURNING *\
      """;
  private static final String SET_STATUS_FOR_BOX =
      """
      UPDATE proxy_tokens SET status = ?, updated_at = now(),
          revoked_at = CASE WHEN ? = 'revoked' THEN now() ELSE NULL END
      WHERE box_id = ? AND status = ?
      RETURNING *\
      """;
  private static final String REVOKE_ALL_FOR_BOX =
      """
      UPDATE proxy_tokens SET status = 'revoked', updated_at = now(), revoked_at = now()
      WHERE box_id = ? AND status <> 'revoked'
      RETURNING *\
      """;
  // One row per live box that has an active token: the reconciler's check, one query a pass.
  private static final String ACTIVE_COUNTS =
      """
      SELECT t.box_id, count(*) AS n FROM proxy_tokens t JOIN boxes b ON b.id = t.box_id
      WHERE t.status = 'active' AND b.destroyed_at IS NULL
      GROUP BY t.box_id      """;
  // Never moves back, and skips the write when a later use is recorded already.
  private static final String TOUCH =
      """
      UPDATE proxy_tokens SET last_used_at = ?
      WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)\
      """;

  private static final Map<String, Supplier<DomainException>> CONSTRAINTS =
      Map.of(
          "proxy_tokens_token_hash_key",
          () -> new ConflictException("token_exists", "this proxy token exists already"));

  private final Database database;

  public ProxyTokenStore(Database database) {
    this.database = database;
  }

  /**
   * Issues a new active token for a live box. The returned plaintext is the only copy: only its
   * hash and prefix are stored.
   */
  public IssuedToken issue(DbExecute exec, UUID boxId) {
    String token = ProxyTokens.generate();
    ProxyToken stored =
        SqlErrors.guard(
            CONSTRAINTS,
            () ->
                exec.get(INSERT, ProxyTokens.hash(token), ProxyTokens.visiblePrefix(token), boxId)
                    .map(ProxyTokenStore::map)
                    .orElseThrow(() -> new NotFoundException("live box")));
    return new IssuedToken(token, stored);
  }

  /**
   * Issues a new active token for an account of the platform's own ({@link
   * cloud.openclaw.platform.domain.CustomerKind#PLATFORM}); the plaintext is the only copy.
   */
  public IssuedToken issueForPlatformAccount(DbExecute exec, UUID customerId) {
    String token = ProxyTokens.generate();
    ProxyToken stored =
        SqlErrors.guard(
            CONSTRAINTS,
            () ->
                exec.get(
                        INSERT_FOR_PLATFORM,
                        ProxyTokens.hash(token),
                        ProxyTokens.visiblePrefix(token),
                        customerId)
                    .map(ProxyTokenStore::map)
                    .orElseThrow(() -> new NotFoundException("platform account")));
    return new IssuedToken(token, stored);
  }

  /**
   * The token with this hash and the customer it belongs to (whose box holds it, or the platform
   * account it names): what the proxy authenticates.
   */
  public Optional<Owned> findOwnedByHash(DbExecute exec, byte[] tokenHash) {
    return exec.get(FIND_OWNED_BY_HASH, (Object) tokenHash)
        .map(row -> new Owned(map(row), Rows.uuid(row, "owner_id")));
  }

  /** A token and the customer it belongs to (through its box, or directly for the platform's). */
  public record Owned(ProxyToken token, UUID customerId) {}

  public Optional<ProxyToken> find(DbExecute exec, UUID id) {
    return exec.get(FIND, id).map(ProxyTokenStore::map);
  }

  public Optional<ProxyToken> findByHash(DbExecute exec, byte[] tokenHash) {
    return exec.get(FIND_BY_HASH, (Object) tokenHash).map(ProxyTokenStore::map);
  }

  /** The stored token a presented one hashes to; empty for anything not shaped like a token. */
  public Optional<ProxyToken> findByToken(DbExecute exec, String token) {
    if (!ProxyTokens.looksLikeToken(token)) {
      return Optional.empty();
    }
    return findByHash(exec, ProxyTokens.hash(token));
  }

  public Optional<ProxyToken> findByToken(String token) {
    return findByToken(database.execute(), token);
  }

  public List<ProxyToken> listForBox(DbExecute exec, UUID boxId) {
    return list(exec, LIST_FOR_BOX, boxId);
  }

  public List<ProxyToken> activeForBox(DbExecute exec, UUID boxId) {
    return list(exec, LIST_ACTIVE_FOR_BOX, boxId);
  }

  /**
   * Sets the token's status; revoking sets {@code revokedAt}. Revoking a revoked token changes
   * nothing; anything else asked of a revoked token is refused with {@code token_revoked}.
   */
  public ProxyToken setStatus(DbExecute exec, UUID id, ProxyTokenStatus status) {
    return exec.get(SET_STATUS, status.dbValue(), status.dbValue(), id)
        .map(ProxyTokenStore::map)
        .orElseGet(
            () -> {
              ProxyToken current =
                  find(exec, id).orElseThrow(() -> new NotFoundException("proxy token"));
              if (status == ProxyTokenStatus.REVOKED) {
                return current;
              }
              throw new ConflictException("token_revoked", "a revoked proxy token stays revoked");
            });
  }

  public ProxyToken revoke(DbExecute exec, UUID id) {
    return setStatus(exec, id, ProxyTokenStatus.REVOKED);
  }

  /** Suspends the box's active tokens (box suspended); returns them so caches can drop them. */
  public List<ProxyToken> suspendForBox(DbExecute exec, UUID boxId) {
    return list(exec, SET_STATUS_FOR_BOX, "suspended", "suspended", boxId, "active");
  }

  /** Reactivates the box's suspended tokens (never revoked ones). */
  public List<ProxyToken> reactivateForBox(DbExecute exec, UUID boxId) {
    return list(exec, SET_STATUS_FOR_BOX, "active", "active", boxId, "suspended");
  }

  /** Revokes every token of the box not revoked yet (box destroyed); returns those it revoked. */
  public List<ProxyToken> revokeAllForBox(DbExecute exec, UUID boxId) {
    return list(exec, REVOKE_ALL_FOR_BOX, boxId);
  }

  /** How many active tokens each live box has; a box with none is not in the map. */
  public Map<UUID, Long> activeCountsByBox(DbExecute exec) {
    try (Stream<DbRow> rows = exec.query(ACTIVE_COUNTS)) {
      return rows.collect(
          java.util.stream.Collectors.toMap(
              row -> Rows.uuid(row, "box_id"), row -> Rows.longValue(row, "n")));
    }
  }

  /** Records a use of the token at {@code at}; an earlier time than the one recorded is ignored. */
  public void touchLastUsed(DbExecute exec, UUID id, Instant at) {
    exec.dml(TOUCH, Rows.param(at), id, Rows.param(at));
  }

  private static List<ProxyToken> list(DbExecute exec, String sql, Object... params) {
    try (Stream<DbRow> rows = exec.query(sql, params)) {
      return rows.map(ProxyTokenStore::map).toList();
    }
  }

  static ProxyToken map(DbRow row) {
    return new ProxyToken(
        Rows.uuid(row, "id"),
        Rows.uuid(row, "box_id"),
        Rows.bytes(row, "token_hash"),
        Rows.string(row, "token_prefix"),
        ProxyTokenStatus.fromDb(Rows.string(row, "status")),
        Rows.instant(row, "created_at"),
        Rows.instant(row, "updated_at"),
        Rows.instant(row, "last_used_at"),
        Rows.instant(row, "revoked_at"));
  }
}
