package cloud.openclaw.platform.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.config.JobSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.StoreFixtures;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The jobs of one box form a line: at most one runs at a time, in the order they were enqueued,
 * whatever the number of workers, retries with backoff or an admin's retry; pending updates of a
 * box merge; lifecycle jobs never wait behind updates. Real PostgreSQL and Redis.
 */
class JobLineIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redisServer = new TestRedis();

  private static final Duration LEASE = Duration.ofSeconds(5);

  static Database database;
  static Redis redis;
  static SecretBox secrets = StoreFixtures.secretBox();

  private final List<AutoCloseable> running = new ArrayList<>();
  private JobStore store;
  private JobStream stream;
  private JobQueue queue;

  @BeforeAll
  static void connect() {
    database =
        Database.connect(
            new DatabaseSettings(postgres.jdbcUrl(), postgres.user(), postgres.password(), 24));
    Migrations.apply(database.dataSource());
    redis = Redis.connect(new RedisSettings(redisServer.url(), redisServer.prefix(), 48));
  }

  @AfterAll
  static void close() {
    redis.close();
    database.close();
  }

  @BeforeEach
  void freshQueue() {
    stream = new JobStream(redis, "q" + UUID.randomUUID().toString().substring(0, 8));
    store = new JobStore(database, 3);
    queue = new JobQueue(store, stream);
    // Each test sees only its own jobs waiting.
    database
        .execute()
        .dml(
            "UPDATE operator_jobs SET status = 'succeeded', locked_by = NULL, locked_until = NULL"
                + " WHERE status IN ('queued', 'running')");
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable closeable : running.reversed()) {
      closeable.close();
    }
  }

  static JobSettings settings(Duration backoffBase) {
    return new JobSettings(
        LEASE,
        3,
        backoffBase,
        backoffBase.multipliedBy(10),
        Duration.ofMillis(100),
        Duration.ofMillis(300),
        Duration.ofMillis(200));
  }

  private void workers(int count, Duration backoffBase, Set<Lane> lanes, JobHandler handler) {
    for (int i = 0; i < count; i++) {
      running.add(
          new JobWorker(
                  store,
                  stream,
                  settings(backoffBase),
                  "w" + running.size() + "-" + i,
                  handler,
                  1,
                  lanes)
              .start());
    }
  }

  private void relay() {
    running.add(
        new JobRelay(store, stream, Duration.ofMillis(100), Duration.ofMillis(300)).start());
  }

  private static UUID newBox() {
    return StoreFixtures.customerWithBox(database, secrets).id();
  }

  private Job enqueue(JobType type, UUID box) {
    return queue.enqueue(new NewJob(type, box, null, type.dbValue() + ":" + UUID.randomUUID()));
  }

  private JobStatus statusOf(UUID id) {
    return store.find(id).orElseThrow().status();
  }

  private static final JobType[] LIFECYCLE = {
    JobType.PROVISION, JobType.SUSPEND, JobType.REACTIVATE, JobType.DESTROY
  };

  @Test
  void aClaimThatWaitedForItsBoxsLockGetsAWholeLease() throws Exception {
    UUID box = newBox();
    Job job = enqueue(JobType.PROVISION, box);
    Duration lease = Duration.ofMillis(600);
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // An enqueue of the same box holding its lock for longer than the lease.
    Thread holder =
        Thread.ofVirtual()
            .start(
                () ->
                    database.inTransaction(
                        tx -> {
                          tx.execute()
                              .get(
                                  "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(714001,"
                                      + " hashtext(?::text))) l",
                                  box);
                          locked.countDown();
                          try {
                            release.await();
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          return null;
                        }));
    assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
    var claim =
        Executors.newVirtualThreadPerTaskExecutor().submit(() -> store.claim(job.id(), "w", lease));
    // The claim waits for the lock meanwhile (a lease counted from its transaction's start would
    // be over by the time it is granted).
    await().pollDelay(lease.multipliedBy(2)).until(() -> !claim.isDone());
    release.countDown();
    holder.join();

    Job claimed = claim.get(10, TimeUnit.SECONDS).orElseThrow();
    boolean leaseRunning =
        database
            .execute()
            .get(
                "SELECT locked_until > clock_timestamp() AS running FROM operator_jobs WHERE id = ?",
                claimed.id())
            .map(row -> row.column("running").getBoolean())
            .orElseThrow();
    assertThat(leaseRunning).as("the lease runs from the claim, not from the wait").isTrue();
    assertThat(store.claim(job.id(), "other", lease)).as("nobody else may take it").isEmpty();
  }

  @Test
  void theJobsOfABoxRunOneAtATimeInTheOrderTheyWereEnqueuedWhateverTheWorkersAndRetries()
      throws Exception {
    int boxes = 12;
    int perBox = 8;
    Map<UUID, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    Map<UUID, AtomicInteger> mostInFlight = new ConcurrentHashMap<>();
    Map<UUID, List<UUID>> ran = new ConcurrentHashMap<>();
    Set<UUID> failedOnce = ConcurrentHashMap.newKeySet();
    JobHandler handler =
        job -> {
          int now =
              inFlight.computeIfAbsent(job.boxId(), b -> new AtomicInteger()).incrementAndGet();
          mostInFlight
              .computeIfAbsent(job.boxId(), b -> new AtomicInteger())
              .accumulateAndGet(now, Math::max);
          try {
            Thread.sleep(2);
            // Every third job fails its first attempt: it is retried after a backoff, in its place.
            if (job.payload().contains("\"flaky\": true") && failedOnce.add(job.id())) {
              throw new IllegalStateException("the cluster said no, once");
            }
            ran.computeIfAbsent(job.boxId(), b -> new CopyOnWriteArrayList<>()).add(job.id());
          } finally {
            inFlight.get(job.boxId()).decrementAndGet();
          }
        };
    workers(8, Duration.ofMillis(300), EnumSet.allOf(Lane.class), handler);
    relay();

    Map<UUID, List<UUID>> enqueued = new ConcurrentHashMap<>();
    try (var producers = Executors.newFixedThreadPool(4)) {
      for (int b = 0; b < boxes; b++) {
        producers.submit(
            () -> {
              UUID box = newBox();
              List<UUID> ids = new ArrayList<>();
              for (int i = 0; i < perBox; i++) {
                NewJob job =
                    new NewJob(
                        LIFECYCLE[i % LIFECYCLE.length],
                        box,
                        "{\"flaky\": " + (i % 3 == 1) + "}",
                        "line:" + UUID.randomUUID());
                ids.add(queue.enqueue(job).id());
              }
              enqueued.put(box, ids);
              return null;
            });
      }
    }
    await()
        .atMost(2, TimeUnit.MINUTES)
        .until(() -> ran.values().stream().mapToInt(List::size).sum() == boxes * perBox);

    assertThat(enqueued).hasSize(boxes);
    for (Map.Entry<UUID, List<UUID>> box : enqueued.entrySet()) {
      assertThat(ran.get(box.getKey())).as("box " + box.getKey()).isEqualTo(box.getValue());
      assertThat(mostInFlight.get(box.getKey())).as("box " + box.getKey()).hasValue(1);
    }
    assertThat(failedOnce).isNotEmpty();
  }

  @Test
  void aRetryWaitingOutItsBackoffRunsAtOnceWhenALifecycleJobOfItsBoxArrivesAndStaysFirst() {
    UUID box = newBox();
    List<String> runs = new CopyOnWriteArrayList<>();
    AtomicInteger reactivateRuns = new AtomicInteger();
    JobHandler handler =
        job -> {
          runs.add(job.type().dbValue() + "#" + job.attempts());
          if (job.type() == JobType.REACTIVATE && reactivateRuns.incrementAndGet() == 1) {
            throw new IllegalStateException("your agent did not start within 180 seconds");
          }
        };
    // A backoff of ten minutes: the retry runs now only because the suspend arrived.
    workers(4, Duration.ofMinutes(10), EnumSet.allOf(Lane.class), handler);
    relay();

    Job reactivate = enqueue(JobType.REACTIVATE, box);
    await().atMost(10, TimeUnit.SECONDS).until(() -> runs.size() == 1);
    assertThat(statusOf(reactivate.id())).isEqualTo(JobStatus.QUEUED);

    Job suspend = enqueue(JobType.SUSPEND, box);
    await().atMost(30, TimeUnit.SECONDS).until(() -> statusOf(suspend.id()) == JobStatus.SUCCEEDED);
    assertThat(runs).containsExactly("reactivate#1", "reactivate#2", "suspend#1");
    assertThat(statusOf(reactivate.id())).isEqualTo(JobStatus.SUCCEEDED);
  }

  @Test
  void anAdminsRetryOfAnOldJobGoesToTheBackOfItsBoxsLine() throws Exception {
    UUID box = newBox();
    List<String> runs = new CopyOnWriteArrayList<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    CountDownLatch suspendStarted = new CountDownLatch(1);
    CountDownLatch releaseSuspend = new CountDownLatch(1);
    AtomicInteger reactivateRuns = new AtomicInteger();
    JobHandler handler =
        job -> {
          mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          try {
            runs.add(job.type().dbValue());
            if (job.type() == JobType.REACTIVATE && reactivateRuns.incrementAndGet() == 1) {
              throw new JobFailedException("hopeless, for now");
            }
            if (job.type() == JobType.SUSPEND) {
              suspendStarted.countDown();
              assertThat(releaseSuspend.await(30, TimeUnit.SECONDS)).isTrue();
            }
          } finally {
            inFlight.decrementAndGet();
          }
        };
    workers(4, Duration.ofMillis(200), EnumSet.allOf(Lane.class), handler);
    relay();

    Job reactivate = enqueue(JobType.REACTIVATE, box);
    await().atMost(10, TimeUnit.SECONDS).until(() -> statusOf(reactivate.id()) == JobStatus.FAILED);
    Job suspend = enqueue(JobType.SUSPEND, box);
    assertThat(suspendStarted.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(store.retryNow(reactivate.id())).isPresent();
    // The retried reactivate waits behind the suspend that runs (the relay keeps looking).
    await()
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(5))
        .until(() -> statusOf(reactivate.id()) == JobStatus.QUEUED);
    releaseSuspend.countDown();

    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> statusOf(reactivate.id()) == JobStatus.SUCCEEDED);
    assertThat(statusOf(suspend.id())).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(runs).containsExactly("reactivate", "suspend", "reactivate");
    assertThat(mostInFlight).hasValue(1);
  }

  @Test
  void updatesOfABoxThatHaveNotStartedMergeIntoOne() throws Exception {
    UUID box = newBox();
    UUID other = newBox();
    Job first = enqueue(JobType.UPDATE, box);
    Job second = enqueue(JobType.UPDATE, box);
    Job third = enqueue(JobType.UPDATE, box);
    Job elsewhere = enqueue(JobType.UPDATE, other);
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(third.id()).isEqualTo(first.id());
    assertThat(elsewhere.id()).isNotEqualTo(first.id());
    assertThat(steps(first.id())).containsExactly("merged", "merged");

    Map<UUID, AtomicInteger> runs = new ConcurrentHashMap<>();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    workers(
        2,
        Duration.ofMillis(200),
        EnumSet.allOf(Lane.class),
        job -> {
          runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
          if (job.boxId().equals(box)) {
            started.countDown();
            assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
          }
        });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    // The first update runs now: a new change needs an update of its own, after it.
    Job afterStart = enqueue(JobType.UPDATE, box);
    assertThat(afterStart.id()).isNotEqualTo(first.id());
    release.countDown();

    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> statusOf(afterStart.id()) == JobStatus.SUCCEEDED);
    assertThat(runs.get(first.id())).hasValue(1);
    assertThat(runs.get(afterStart.id())).hasValue(1);
    assertThat(runs.get(elsewhere.id())).hasValue(1);
  }

  @Test
  void aProvisionIsClaimedWhileEveryUpdateWorkerIsBusyAndAHundredUpdatesWait() throws Exception {
    int updateWorkers = 4;
    int waiting = 100;
    CountDownLatch releaseUpdates = new CountDownLatch(1);
    AtomicInteger updatesRunning = new AtomicInteger();
    List<UUID> provisioned = new CopyOnWriteArrayList<>();
    JobHandler handler =
        job -> {
          if (job.type() == JobType.UPDATE) {
            updatesRunning.incrementAndGet();
            assertThat(releaseUpdates.await(2, TimeUnit.MINUTES)).isTrue(); // a slow update
          } else {
            provisioned.add(job.boxId());
          }
        };
    workers(updateWorkers, Duration.ofMillis(200), EnumSet.allOf(Lane.class), handler);
    workers(1, Duration.ofMillis(200), EnumSet.of(Lane.LIFECYCLE), handler);
    relay();
    try {
      for (int i = 0; i < updateWorkers + waiting; i++) {
        enqueue(JobType.UPDATE, newBox());
      }
      await().atMost(30, TimeUnit.SECONDS).until(() -> updatesRunning.get() == updateWorkers);
      assertThat(count(JobType.UPDATE, JobStatus.QUEUED)).isEqualTo(waiting);

      UUID paid = newBox();
      Job provision = enqueue(JobType.PROVISION, paid);
      await()
          .atMost(30, TimeUnit.SECONDS)
          .until(() -> statusOf(provision.id()) == JobStatus.SUCCEEDED);
      assertThat(provisioned).containsExactly(paid);
      assertThat(updatesRunning).hasValue(updateWorkers);
      assertThat(count(JobType.UPDATE, JobStatus.QUEUED)).isEqualTo(waiting);
    } finally {
      releaseUpdates.countDown();
    }
  }

  @Test
  void aSupersededJobEndsSoWithoutAnErrorAndTheNextJobOfItsBoxRuns() {
    UUID box = newBox();
    List<JobType> ran = new CopyOnWriteArrayList<>();
    workers(
        2,
        Duration.ofMillis(200),
        EnumSet.allOf(Lane.class),
        job -> {
          if (job.type() == JobType.SUSPEND) {
            throw new JobSupersededException("the box is meant to run again");
          }
          ran.add(job.type());
        });
    Job suspend = enqueue(JobType.SUSPEND, box);
    Job reactivate = enqueue(JobType.REACTIVATE, box);

    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> statusOf(reactivate.id()) == JobStatus.SUCCEEDED);
    Job superseded = store.find(suspend.id()).orElseThrow();
    assertThat(superseded.status()).isEqualTo(JobStatus.SUPERSEDED);
    assertThat(superseded.status().isFinal()).isTrue();
    assertThat(superseded.attempts()).isEqualTo(1);
    assertThat(superseded.lastError()).isNull();
    assertThat(superseded.finishedAt()).isNotNull();
    assertThat(ran).containsExactly(JobType.REACTIVATE);
  }

  @Test
  void theRelayAnnouncesOnlyTheFirstJobOfABoxsLine() {
    UUID box = newBox();
    Job first =
        store
            .insert(
                database.execute(),
                new NewJob(JobType.PROVISION, box, null, "r1:" + UUID.randomUUID()))
            .job();
    Job second =
        store
            .insert(
                database.execute(),
                new NewJob(JobType.SUSPEND, box, null, "r2:" + UUID.randomUUID()))
            .job();
    database
        .execute()
        .dml(
            "UPDATE operator_jobs SET published_at = NULL WHERE id IN (?, ?)",
            first.id(),
            second.id());

    List<JobStore.Ready> announced = store.takeForRelay(Duration.ofMillis(300), 100);
    assertThat(announced)
        .extracting(JobStore.Ready::id)
        .contains(first.id())
        .doesNotContain(second.id());
  }

  // --- helpers

  private long count(JobType type, JobStatus status) {
    return database
        .execute()
        .get(
            "SELECT count(*) AS n FROM operator_jobs WHERE type = ? AND status = ?",
            type.dbValue(),
            status.dbValue())
        .map(row -> Rows.longValue(row, "n"))
        .orElseThrow();
  }

  private static List<String> steps(UUID jobId) {
    try {
      return cloud.openclaw.platform.http.Json.MAPPER
          .readTree(
              database
                  .execute()
                  .get("SELECT steps::text AS steps FROM operator_jobs WHERE id = ?", jobId)
                  .map(row -> Rows.string(row, "steps"))
                  .orElseThrow())
          .findValuesAsText("step");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
