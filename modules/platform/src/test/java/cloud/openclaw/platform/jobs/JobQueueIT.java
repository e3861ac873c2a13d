package cloud.openclaw.platform.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.config.JobSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.logging.LogContext;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.StoreFixtures;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job queue's guarantees, on real PostgreSQL and Redis. */
class JobQueueIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redisServer = new TestRedis();

  private static final Duration LEASE = Duration.ofMillis(600);

  static Database database;
  static Redis redis;
  static UUID boxId;

  private final List<AutoCloseable> running = new ArrayList<>();
  private JobStore store;
  private JobStream stream;
  private JobQueue queue;

  @BeforeAll
  static void connect() {
    database =
        Database.connect(
            new DatabaseSettings(postgres.jdbcUrl(), postgres.user(), postgres.password(), 16));
    Migrations.apply(database.dataSource());
    redis = Redis.connect(new RedisSettings(redisServer.url(), redisServer.prefix(), 32));
    boxId = StoreFixtures.customerWithBox(database, StoreFixtures.secretBox()).id();
  }

  @AfterAll
  static void close() {
    redis.close();
    database.close();
  }

  @BeforeEach
  void freshQueue() {
    // A queue name per test keeps each test's stream and group apart.
    stream = new JobStream(redis, "q" + UUID.randomUUID().toString().substring(0, 8));
    store = new JobStore(database, 3);
    queue = new JobQueue(store, stream);
    database
        .execute()
        .dml(
            "UPDATE operator_jobs SET status = 'succeeded', locked_by = NULL, locked_until = NULL WHERE status IN ('queued', 'running')");
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable closeable : running.reversed()) {
      closeable.close();
    }
  }

  static JobSettings settings(Duration lease) {
    return new JobSettings(
        lease,
        3,
        Duration.ofMillis(200),
        Duration.ofSeconds(2),
        Duration.ofMillis(100),
        Duration.ofMillis(300),
        Duration.ofMillis(200));
  }

  private JobWorker worker(String name, JobHandler handler) {
    JobWorker worker = new JobWorker(store, stream, settings(LEASE), name, handler).start();
    running.add(worker);
    return worker;
  }

  private JobRelay relay() {
    JobRelay relay = new JobRelay(store, stream, Duration.ofMillis(100), Duration.ofMillis(300));
    running.add(relay.start());
    return relay;
  }

  private static NewJob job(String key) {
    return new NewJob(JobType.PROVISION, boxId, "{\"step\":1}", key);
  }

  private JobStatus statusOf(UUID id) {
    return store.find(id).orElseThrow().status();
  }

  @Test
  void aJobRunsWithTheRequestIdOfWhatEnqueuedIt() {
    Job fromRequest;
    try (LogContext.Scope request = LogContext.request("req-enqueue-1")) {
      fromRequest = queue.enqueue(job("request:" + UUID.randomUUID()));
    }
    Job explicit =
        queue.enqueue(
            new NewJob(JobType.PROVISION, boxId, null, "event:" + UUID.randomUUID(), "evt_1"));
    Job outside = queue.enqueue(job("outside:" + UUID.randomUUID()));
    assertThat(store.find(fromRequest.id()).orElseThrow().requestId()).isEqualTo("req-enqueue-1");
    assertThat(explicit.requestId()).isEqualTo("evt_1");
    assertThat(outside.requestId()).isNull();

    Map<UUID, String> seen = new ConcurrentHashMap<>();
    worker("a", job -> seen.put(job.id(), LogContext.requestId().orElse("none")));

    await().atMost(10, TimeUnit.SECONDS).until(() -> seen.size() == 3);
    assertThat(seen)
        .containsEntry(fromRequest.id(), "req-enqueue-1")
        .containsEntry(explicit.id(), "evt_1")
        .containsEntry(outside.id(), "job-" + outside.id());
  }

  @Test
  void enqueuedJobRunsOnceAndTheSameCauseMakesNoSecondJob() {
    AtomicInteger runs = new AtomicInteger();
    String key = "checkout:" + UUID.randomUUID();
    Job first = queue.enqueue(job(key));
    Job again = queue.enqueue(job(key));
    assertThat(again.id()).isEqualTo(first.id());

    worker("a", job -> runs.incrementAndGet());

    await().atMost(10, TimeUnit.SECONDS).until(() -> statusOf(first.id()) == JobStatus.SUCCEEDED);
    Job done = store.find(first.id()).orElseThrow();
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.finishedAt()).isNotNull();
    assertThat(done.lockedBy()).isNull();
    assertThat(runs).hasValue(1);
    await().atMost(5, TimeUnit.SECONDS).until(() -> stream.pending() == 0);
  }

  @Test
  void aJobEnqueuedInARolledBackTransactionNeverExistsNorRuns() {
    String key = "rolled-back:" + UUID.randomUUID();
    try {
      database.inTransaction(
          tx -> {
            queue.enqueue(tx, job(key));
            throw new IllegalStateException("the state change failed");
          });
    } catch (IllegalStateException expected) {
      // the transaction rolled back
    }
    assertThat(store.findByIdempotencyKey(key)).isEmpty();
    stream.ensureGroup();
    assertThat(stream.readNew("probe", 10, Duration.ofMillis(100))).isEmpty();
  }

  @Test
  void aConsumerKilledAfterReadingLeavesTheJobToAnother() {
    Job job = queue.enqueue(job("killed-after-read:" + UUID.randomUUID()));
    stream.ensureGroup();
    // "dead" reads the entry and dies before it claims the row: the entry sits in its pending list.
    assertThat(stream.readNew("dead", 10, Duration.ofMillis(500)))
        .extracting(JobStream.Delivery::jobId)
        .containsExactly(job.id());

    AtomicInteger runs = new AtomicInteger();
    worker("survivor", j -> runs.incrementAndGet());

    await().atMost(10, TimeUnit.SECONDS).until(() -> statusOf(job.id()) == JobStatus.SUCCEEDED);
    assertThat(runs).hasValue(1);
    await().atMost(5, TimeUnit.SECONDS).until(() -> stream.pending() == 0);
  }

  @Test
  void aConsumerKilledMidJobLosesItsLeaseAndTheJobCompletesElsewhere() {
    Job job = queue.enqueue(job("killed-mid-job:" + UUID.randomUUID()));
    stream.ensureGroup();
    JobStream.Delivery delivery = stream.readNew("dead", 10, Duration.ofMillis(500)).getFirst();
    // "dead" claims the row, starts work and dies: no acknowledgement, no lease renewal.
    assertThat(store.claim(delivery.jobId(), "dead", LEASE)).isPresent();

    AtomicInteger runs = new AtomicInteger();
    worker("survivor", j -> runs.incrementAndGet());

    await().atMost(10, TimeUnit.SECONDS).until(() -> statusOf(job.id()) == JobStatus.SUCCEEDED);
    Job done = store.find(job.id()).orElseThrow();
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(runs).hasValue(1);
  }

  @Test
  void redisLosingEverythingBetweenEnqueueAndConsumeLosesNoJob() {
    Job job = queue.enqueue(job("flushed:" + UUID.randomUUID()));
    redisServer.wipe(); // to the code under test, the same as FLUSHALL: stream and group are gone

    AtomicInteger runs = new AtomicInteger();
    worker("a", j -> runs.incrementAndGet());
    relay();

    await().atMost(10, TimeUnit.SECONDS).until(() -> statusOf(job.id()) == JobStatus.SUCCEEDED);
    assertThat(runs).hasValue(1);
  }

  @Test
  void aFailingJobIsRetriedWithGrowingBackoffThenDeadWithItsLastError() {
    Job job = queue.enqueue(job("failing:" + UUID.randomUUID()));
    List<Instant> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
    worker(
        "a",
        j -> {
          attempts.add(Instant.now());
          throw new IllegalStateException("kube-apiserver said no (attempt " + j.attempts() + ")");
        });
    relay();

    await().atMost(20, TimeUnit.SECONDS).until(() -> statusOf(job.id()) == JobStatus.DEAD);
    Job dead = store.find(job.id()).orElseThrow();
    assertThat(dead.attempts()).isEqualTo(3);
    assertThat(attempts).hasSize(3);
    assertThat(dead.lastError()).contains("kube-apiserver said no (attempt 3)");
    assertThat(dead.finishedAt()).isNotNull();
    Duration firstWait = Duration.between(attempts.get(0), attempts.get(1));
    Duration secondWait = Duration.between(attempts.get(1), attempts.get(2));
    assertThat(firstWait).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(secondWait).isGreaterThanOrEqualTo(Duration.ofMillis(400));
  }

  @Test
  void aHopelessJobFailsAtOnceAndAnAdminCanRetryIt() {
    Job job = queue.enqueue(job("hopeless:" + UUID.randomUUID()));
    AtomicInteger runs = new AtomicInteger();
    worker(
        "a",
        j -> {
          if (runs.incrementAndGet() == 1) {
            throw new JobFailedException("Telegram rejected the bot token");
          }
        });
    relay();

    await().atMost(10, TimeUnit.SECONDS).until(() -> statusOf(job.id()) == JobStatus.FAILED);
    assertThat(store.find(job.id()).orElseThrow().lastError())
        .isEqualTo("Telegram rejected the bot token");
    assertThat(store.find(job.id()).orElseThrow().attempts()).isEqualTo(1);

    assertThat(store.retryNow(job.id())).isPresent();
    await().atMost(10, TimeUnit.SECONDS).until(() -> statusOf(job.id()) == JobStatus.SUCCEEDED);
    assertThat(runs).hasValue(2);
  }

  @Test
  void aJobNeverRunsOnTwoConsumersWhileItsLeaseHolds() throws Exception {
    Job job = queue.enqueue(job("slow:" + UUID.randomUUID()));
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    JobHandler slow =
        j -> {
          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          runs.incrementAndGet();
          started.countDown();
          Thread.sleep(LEASE.multipliedBy(4)); // far past one lease: renewals must keep it
          inFlight.decrementAndGet();
        };
    worker("a", slow);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    worker("b", slow);
    relay();

    await().atMost(15, TimeUnit.SECONDS).until(() -> statusOf(job.id()) == JobStatus.SUCCEEDED);
    assertThat(maxInFlight).hasValue(1);
    assertThat(runs).hasValue(1);
  }

  @Test
  void tenThousandJobsThroughFourConsumersEachSucceedExactlyOnce() throws Exception {
    int total = 10_000;
    // Spread over boxes as real jobs are (the jobs of one box run one at a time: JobLineIT).
    List<UUID> boxes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      boxes.add(StoreFixtures.customerWithBox(database, StoreFixtures.secretBox()).id());
    }
    Map<UUID, AtomicInteger> runs = new ConcurrentHashMap<>();
    JobHandler count =
        j -> runs.computeIfAbsent(j.id(), id -> new AtomicInteger()).incrementAndGet();
    for (int i = 0; i < 4; i++) {
      worker("c" + i, count);
    }
    relay();

    Set<UUID> ids = ConcurrentHashMap.newKeySet();
    String batch = UUID.randomUUID().toString();
    try (var pool = Executors.newFixedThreadPool(8)) {
      IntStream.range(0, total)
          .forEach(
              i ->
                  pool.submit(
                      () ->
                          ids.add(
                              queue
                                  .enqueue(
                                      new NewJob(
                                          JobType.PROVISION,
                                          boxes.get(i % boxes.size()),
                                          "{}",
                                          batch + ":" + i))
                                  .id())));
    }
    assertThat(ids).hasSize(total);

    await()
        .atMost(3, TimeUnit.MINUTES)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> JobFixtures.countSucceeded(database, batch) == total);
    assertThat(runs).hasSize(total);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    assertThat(JobFixtures.maxAttempts(database, batch)).isEqualTo(1);
  }
}
