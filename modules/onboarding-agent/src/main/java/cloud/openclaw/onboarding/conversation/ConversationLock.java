package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import redis.clients.jedis.params.SetParams;

/**
 * One turn at a time per conversation, across replicas: a Redis lock ({@code SET NX PX}) held for
 * the turn. A second input (a repeated confirm) waits for the first to finish and then sees what it
 * did. The lease bounds a holder that died; releasing checks the holder, so a late holder never
 * frees the next one's lock.
 */
public final class ConversationLock {
  private static final Duration LEASE = Duration.ofMinutes(2);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
          + " return 0";

  private final Redis redis;

  public ConversationLock(Redis redis) {
    this.redis = redis;
  }

  public <T> T holding(String key, Supplier<T> work) {
    String lock = redis.key("onboarding", "lock", key);
    String holder = UUID.randomUUID().toString();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!"OK"
        .equals(
            redis.client().set(lock, holder, SetParams.setParams().nx().px(LEASE.toMillis())))) {
      if (System.nanoTime() > deadline) {
        throw new UnavailableException("the conversation is busy; try again", null);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnavailableException("interrupted while waiting for the conversation", e);
      }
    }
    try {
      return work.get();
    } finally {
      redis.client().eval(RELEASE, List.of(lock), List.of(holder));
    }
  }
}
