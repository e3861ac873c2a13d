package cloud.openclaw.platform.redis;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.testkit.TestRedis;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lock across replicas: one holder at a time, a lease that ends, a late holder harmless. */
class RedisLockIT {
  @RegisterExtension static final TestRedis testRedis = new TestRedis();
  static Redis redis;

  @BeforeAll
  static void connect() {
    redis = Redis.connect(new RedisSettings(testRedis.url(), testRedis.prefix(), 8));
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  @Test
  void oneHolderAtATimeAndTheNextTakesItOnceReleased() {
    RedisLock lock = new RedisLock(redis, redis.key("lock", "one"), Duration.ofMinutes(1));
    RedisLock.Lease first = lock.tryTake().orElseThrow();
    assertThat(lock.tryTake()).isEmpty();
    assertThat(lock.take(Duration.ofMillis(100))).isEmpty();

    first.close();
    try (RedisLock.Lease second = lock.tryTake().orElseThrow()) {
      assertThat(lock.tryTake()).isEmpty();
    }
  }

  @Test
  void aWaiterGetsTheLockWhenItsHolderLetsGo() throws Exception {
    RedisLock lock = new RedisLock(redis, redis.key("lock", "wait"), Duration.ofMinutes(1));
    RedisLock.Lease held = lock.tryTake().orElseThrow();
    CompletableFuture<Optional<RedisLock.Lease>> waiter =
        CompletableFuture.supplyAsync(() -> lock.take(Duration.ofSeconds(10)));
    assertThat(waiter).isNotDone();
    held.close();
    Optional<RedisLock.Lease> taken = waiter.get(10, TimeUnit.SECONDS);
    assertThat(taken).isPresent();
    taken.get().close();
  }

  @Test
  void aHolderWhoseLeaseEndedDoesNotFreeTheNextOnesLock() throws Exception {
    String key = redis.key("lock", "lease");
    RedisLock lock = new RedisLock(redis, key, Duration.ofMillis(200));
    RedisLock.Lease late = lock.tryTake().orElseThrow();
    RedisLock.Lease next = lock.take(Duration.ofSeconds(5)).orElseThrow(); // after the lease

    late.close();
    assertThat(lock.tryTake()).as("still the next one's").isEmpty();
    next.close();
    assertThat(redis.client().exists(key)).isFalse();
  }
}
