package cloud.openclaw.api.auth;

import cloud.openclaw.platform.redis.Redis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import redis.clients.jedis.params.SetParams;

/**
 * The deny-list of session tokens by id (jti) in Redis, each entry kept until its token would have
 * expired anyway.
 */
public final class Revocations {
  private final Redis redis;
  private final Clock clock;

  public Revocations(Redis redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /** Revokes the token; false when it was revoked already (a refresh token used twice). */
  public boolean revoke(String tokenId, Instant expiresAt) {
    long seconds = Math.max(1, Duration.between(clock.instant(), expiresAt).toSeconds() + 1);
    return "OK"
        .equals(redis.client().set(key(tokenId), "1", SetParams.setParams().nx().ex(seconds)));
  }

  public boolean isRevoked(String tokenId) {
    return redis.client().exists(key(tokenId));
  }

  private String key(String tokenId) {
    return redis.key("auth", "revoked", tokenId);
  }
}
