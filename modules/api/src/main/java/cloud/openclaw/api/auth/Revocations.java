package cloud.openclaw.api.auth;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.redis.Redis;
import io.helidon.dbclient.DbRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import redis.clients.jedis.params.SetParams;

/**
 * The deny-list of session tokens by id (jti), each entry kept until its token would have expired
 * anyway. PostgreSQL's {@code session_revocations} is the record (and decides which of two uses of
 * a refresh token was first); Redis holds a copy for the check every request makes. When Redis has
 * lost its data (restarted empty) the copy's marker is gone with it, and the next check loads the
 * unexpired revocations back before it answers: a revocation outlives Redis.
 */
public final class Revocations {
  private static final String INSERT =
      "INSERT INTO session_revocations (token_id, expires_at) VALUES (?, ?)"
          + " ON CONFLICT (token_id) DO NOTHING";
  private static final String UNEXPIRED =
      "SELECT token_id, expires_at FROM session_revocations WHERE expires_at > ?";
  private static final String DELETE_EXPIRED =
      "DELETE FROM session_revocations WHERE expires_at <= ?";

  private final Redis redis;
  private final Database database;
  private final Clock clock;

  public Revocations(Redis redis, Database database, Clock clock) {
    this.redis = redis;
    this.database = database;
    this.clock = clock;
  }

  /** Revokes the token; false when it was revoked already (a refresh token used twice). */
  public boolean revoke(String tokenId, Instant expiresAt) {
    boolean first = database.execute().dml(INSERT, tokenId, Rows.param(expiresAt)) == 1;
    cache(tokenId, expiresAt);
    return first;
  }

  public boolean isRevoked(String tokenId) {
    List<String> found = redis.client().mget(key(tokenId), loadedKey());
    if (found.get(0) != null) {
      return true;
    }
    if (found.get(1) != null) {
      return false;
    }
    reload();
    return redis.client().exists(key(tokenId));
  }

  // Redis came back empty (or never had the list): copy the unexpired revocations into it, then
  // mark it loaded. Several replicas may do it at once; each writes the same entries.
  private void reload() {
    Instant now = clock.instant();
    database.execute().dml(DELETE_EXPIRED, Rows.param(now));
    try (Stream<DbRow> rows = database.execute().query(UNEXPIRED, Rows.param(now))) {
      rows.forEach(row -> cache(Rows.string(row, "token_id"), Rows.instant(row, "expires_at")));
    }
    redis.client().set(loadedKey(), "1");
  }

  private void cache(String tokenId, Instant expiresAt) {
    long seconds = Math.max(1, Duration.between(clock.instant(), expiresAt).toSeconds() + 1);
    redis.client().set(key(tokenId), "1", SetParams.setParams().ex(seconds));
  }

  private String key(String tokenId) {
    return redis.key("auth", "revoked", tokenId);
  }

  private String loadedKey() {
    return redis.key("auth", "revocations-loaded");
  }
}
