package cloud.openclaw.api.signup;

import cloud.openclaw.platform.crypto.Sha256;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.redis.RedisLock;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import redis.clients.jedis.params.SetParams;

/**
 * Sign-ups under an {@code Idempotency-Key}: the first request with a key signs up (mails its
 * email's owner) and its answer is kept in Redis for {@link #KEEP}; a later request with the same
 * key and the same body gets that answer without a second mail. While one request with a key is
 * signing up, it holds a lock in Redis, and another request with the key waits for its answer. The
 * same key with another body is a 409. Failed sign-ups keep nothing, so they can be retried.
 */
public final class IdempotentSignups {
  public static final int MAX_KEY_LENGTH = 200;
  static final Duration KEEP = Duration.ofHours(24);

  /** Longer than a sign-up takes (Telegram and Stripe calls); a crashed holder frees it then. */
  static final Duration LOCK = Duration.ofSeconds(60);

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(50);

  private final Redis redis;

  public IdempotentSignups(Redis redis) {
    this.redis = redis;
  }

  /** An answer as given: its HTTP status and its JSON body. */
  public record Answer(int status, JsonNode body) {}

  private record Kept(String request, int status, JsonNode body) {}

  /** The header's value, checked: null when absent. */
  public static String key(Optional<String> header) {
    if (header.isEmpty()) {
      return null;
    }
    String key = header.get().strip();
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new InvalidInputException(
          "Idempotency-Key", "'Idempotency-Key' is 1 to " + MAX_KEY_LENGTH + " characters");
    }
    return key;
  }

  /**
   * The answer kept for {@code key}, else the one {@code signup} gives (kept when it succeeds).
   *
   * @param request what identifies the request's body (the same body gives the same string)
   */
  public Answer answer(String key, String request, Supplier<Answer> signup) {
    String hash = Sha256.hex(key);
    String kept = redis.key("signup", "idempotency", hash);
    RedisLock lock = new RedisLock(redis, redis.key("signup", "idempotency-lock", hash), LOCK);
    String requestHash = Sha256.hex(request);
    long deadline = System.nanoTime() + WAIT.toNanos();
    Optional<RedisLock.Lease> taken;
    while ((taken = lock.tryTake()).isEmpty()) {
      Optional<Answer> earlier = kept(kept, requestHash);
      if (earlier.isPresent()) {
        return earlier.get();
      }
      if (System.nanoTime() > deadline) {
        throw new ConflictException(
            "idempotency_in_progress", "a sign-up with this Idempotency-Key is still under way");
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
    try (RedisLock.Lease held = taken.get()) {
      // An earlier holder may have finished before we took the lock.
      Optional<Answer> earlier = kept(kept, requestHash);
      if (earlier.isPresent()) {
        return earlier.get();
      }
      Answer answer = signup.get();
      if (answer.status() / 100 == 2) {
        redis
            .client()
            .set(
                kept,
                Json.write(new Kept(requestHash, answer.status(), answer.body())),
                SetParams.setParams().px(KEEP.toMillis()));
      }
      return answer;
    }
  }

  private Optional<Answer> kept(String key, String requestHash) {
    String json = redis.client().get(key);
    if (json == null) {
      return Optional.empty();
    }
    Kept kept = Json.read(json.getBytes(StandardCharsets.UTF_8), Kept.class);
    if (!kept.request().equals(requestHash)) {
      throw new ConflictException(
          "idempotency_key_reused",
          "this Idempotency-Key was used for another sign-up: use a new key for new answers");
    }
    return Optional.of(new Answer(kept.status(), kept.body()));
  }
}
