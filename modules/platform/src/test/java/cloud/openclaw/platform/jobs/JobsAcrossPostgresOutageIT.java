package cloud.openclaw.platform.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.StoreFixtures;
import cloud.openclaw.testkit.TcpProxy;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jobs queued before PostgreSQL became unreachable, and handed to a worker while it was (the stream
 * is in Redis, the claim in PostgreSQL): none runs meanwhile, none is lost, each runs once when
 * PostgreSQL is back. A job enqueued meanwhile is refused (UnavailableException, a 503 at the api)
 * rather than half-queued.
 */
class JobsAcrossPostgresOutageIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redisServer = new TestRedis();

  private static final int JOBS = 10;
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration OUTAGE = Duration.ofSeconds(10);

  static Database database;
  static Redis redis;
  static TcpProxy network;
  static Database cutOff;

  @BeforeAll
  static void connect() {
    database =
        Database.connect(
            new DatabaseSettings(postgres.jdbcUrl(), postgres.user(), postgres.password(), 8));
    Migrations.apply(database.dataSource());
    redis = Redis.connect(new RedisSettings(redisServer.url(), redisServer.prefix(), 16));
    URI target = URI.create(postgres.jdbcUrl().substring("jdbc:".length()));
    network = TcpProxy.start(target.getHost(), target.getPort());
    cutOff =
        Database.connect(
            new DatabaseSettings(
                "jdbc:postgresql://" + network.host() + ":" + network.port() + target.getPath(),
                postgres.user(),
                postgres.password(),
                4,
                Duration.ofSeconds(1)));
  }

  @AfterAll
  static void close() {
    cutOff.close();
    network.close();
    redis.close();
    database.close();
  }

  @Test
  void jobsDeliveredWhilePostgresIsDownRunOnceWhenItIsBack() throws Exception {
    JobStream stream = new JobStream(redis, "outage");
    JobQueue queue = new JobQueue(new JobStore(database, 3), stream);
    List<UUID> queued = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      UUID box = StoreFixtures.customerWithBox(database, StoreFixtures.secretBox()).id();
      queued.add(queue.enqueue(new NewJob(JobType.PROVISION, box, "{}", "outage:" + i)).id());
    }

    network.down();
    Map<UUID, Integer> runs = new ConcurrentHashMap<>();
    JobStore store = new JobStore(cutOff, 3);
    try (JobWorker worker =
            new JobWorker(
                    store,
                    stream,
                    JobQueueIT.settings(LEASE),
                    "w",
                    job -> runs.merge(job.id(), 1, Integer::sum))
                .start();
        JobRelay relay =
            new JobRelay(store, stream, Duration.ofMillis(200), Duration.ofSeconds(1)).start()) {
      UUID box = StoreFixtures.customerWithBox(database, StoreFixtures.secretBox()).id();
      assertThatThrownBy(
              () ->
                  new JobQueue(store, stream)
                      .enqueue(new NewJob(JobType.PROVISION, box, "{}", "outage:meanwhile")))
          .isInstanceOf(UnavailableException.class);

      // The worker has the deliveries (Redis is up) and cannot claim them.
      await().atMost(Duration.ofSeconds(20)).until(() -> stream.pending() > 0);
      await()
          .during(OUTAGE)
          .atMost(OUTAGE.plusSeconds(20))
          .until(() -> runs.isEmpty() && succeeded() == 0);

      network.up();
      long up = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> succeeded() == JOBS);
      long allRanMillis = (System.nanoTime() - up) / 1_000_000;
      assertThat(runs).containsOnlyKeys(queued).allSatisfy((id, n) -> assertThat(n).isOne());
      await().atMost(Duration.ofSeconds(20)).until(() -> stream.pending() == 0);
      assertThat(runs.values()).allMatch(n -> n == 1);
      System.out.printf(
          "FIGURES jobs-outage: %d jobs delivered during a %d s outage ran once each, all within"
              + " %d ms after PostgreSQL came back (lease %d s, relay grace 1 s)%n",
          JOBS, OUTAGE.toSeconds(), allRanMillis, LEASE.toSeconds());
    }
  }

  private static long succeeded() {
    return database
        .execute()
        .get(
            "SELECT count(*) AS n FROM operator_jobs WHERE status = 'succeeded'"
                + " AND idempotency_key LIKE 'outage:%'")
        .orElseThrow()
        .column("n")
        .getLong();
  }
}
