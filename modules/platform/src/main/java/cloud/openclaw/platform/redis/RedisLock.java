package cloud.openclaw.platform.redis;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.params.SetParams;

/**
 * A lock across replicas: {@code SET key holder NX PX lease}. The lease bounds a holder that died;
 * releasing checks the holder, so a late holder (its lease over, the lock since taken by another)
 * never frees the next one's lock.
 */
public final class RedisLock {
  private static final Duration POLL = Duration.ofMillis(10);
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
          + " return 0";

  private final Redis redis;
  private final String key;
  private final Duration lease;

  /** {@code key} is the full key (already prefixed). */
  public RedisLock(Redis redis, String key, Duration lease) {
    this.redis = redis;
    this.key = key;
    this.lease = lease;
  }

  /** The lock, held until closed (or until its lease ends). */
  public interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  /** Takes the lock if it is free. */
  public Optional<Lease> tryTake() {
    String holder = UUID.randomUUID().toString();
    if (!"OK"
        .equals(redis.client().set(key, holder, SetParams.setParams().nx().px(lease.toMillis())))) {
      return Optional.empty();
    }
    return Optional.of(() -> redis.client().eval(RELEASE, List.of(key), List.of(holder)));
  }

  /**
   * Takes the lock, waiting up to {@code wait} for it; empty when it stayed taken (or the thread
   * was interrupted, its flag set again).
   */
  public Optional<Lease> take(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Optional<Lease> taken = tryTake();
      if (taken.isPresent() || System.nanoTime() > deadline) {
        return taken;
      }
      LockSupport.parkNanos(POLL.toNanos());
      if (Thread.currentThread().isInterrupted()) {
        return Optional.empty();
      }
    }
  }
}
