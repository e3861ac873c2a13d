package cloud.openclaw.bench;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.config.JobSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.JobWorker;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.testkit.PostgresServer;
import cloud.openclaw.testkit.RedisServer;
import cloud.openclaw.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/**
 * Jobs per second through the queue, from the first enqueue to the last acknowledgement, with 1 and
 * 4 consumers side by side in one run, and each job's latency from enqueue to finished. The handler
 * does nothing, so this measures the queue itself: PostgreSQL row, Redis stream, claim, commit,
 * ack. The jobs are spread over 1000 boxes (the jobs of one box run one after the other).
 *
 * <p>Run: {@code ./openclaw-cloud bench queue [jobs]} (PostgreSQL and Redis from
 * OPENCLAW_TEST_DATABASE_URL / OPENCLAW_TEST_REDIS_URL, else embedded).
 */
public final class QueueBenchmark {
  private static final int PRODUCERS = 4;
  // The jobs of one box run one after the other; real jobs are spread over many boxes.
  private static final int BOXES = 1000;

  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    TestDatabase testDatabase = PostgresServer.shared().createDatabase("queue_bench");
    try (Database database =
            Database.connect(
                new DatabaseSettings(
                    testDatabase.jdbcUrl(), testDatabase.user(), testDatabase.password(), 24));
        Redis redis =
            Redis.connect(
                new RedisSettings(
                    RedisServer.shared().url(), "bench:" + UUID.randomUUID() + ":", 32))) {
      Migrations.apply(database.dataSource());
      List<UUID> boxes = Fixtures.boxes(database, BOXES);
      System.out.printf(
          "%d jobs, %d producer threads, no-op handler, %s, %d cores%n%n",
          jobs,
          PRODUCERS,
          System.getProperty("java.version"),
          Runtime.getRuntime().availableProcessors());
      System.out.println(
          "| consumers | jobs | seconds | jobs/s | latency p50 ms | latency p99 ms |");
      System.out.println("|---|---|---|---|---|---|");
      run(database, redis, boxes, 1, Math.min(jobs, jobs / 2 + 1)); // warm-up: JIT, pools
      for (int consumers : new int[] {1, 4}) {
        Result result = run(database, redis, boxes, consumers, jobs);
        System.out.printf(
            Locale.ROOT,
            "| %d | %d | %.2f | %.0f | %.1f | %.1f |%n",
            consumers,
            jobs,
            result.seconds,
            jobs / result.seconds,
            result.p50Millis,
            result.p99Millis);
      }
    } finally {
      testDatabase.drop();
    }
    System.exit(0);
  }

  private static Result run(
      Database database, Redis redis, List<UUID> boxes, int consumers, int jobs)
      throws InterruptedException {
    String queueName = "bench" + UUID.randomUUID().toString().substring(0, 8);
    JobStream stream = new JobStream(redis, queueName);
    JobStore store = new JobStore(database, 3);
    JobQueue queue = new JobQueue(store, stream);
    JobSettings settings =
        new JobSettings(
            Duration.ofSeconds(30),
            3,
            Duration.ofSeconds(1),
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            Duration.ofMillis(200));
    List<JobWorker> workers = new ArrayList<>();
    for (int i = 0; i < consumers; i++) {
      workers.add(new JobWorker(store, stream, settings, "c" + i, job -> {}).start());
    }
    String batch = queueName + ":";
    long target = succeeded(store) + jobs;
    long start = System.nanoTime();
    try (ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS)) {
      IntStream.range(0, jobs)
          .forEach(
              i ->
                  producers.submit(
                      () ->
                          queue.enqueue(
                              new NewJob(
                                  JobType.PROVISION,
                                  boxes.get(i % boxes.size()),
                                  "{}",
                                  batch + i))));
    }
    while (succeeded(store) < target || stream.pending() > 0) {
      Thread.sleep(20);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    workers.forEach(JobWorker::close);
    double[] latency = Fixtures.latencyPercentiles(database, batch, 0.5, 0.99);
    return new Result(seconds, latency[0], latency[1]);
  }

  private static long succeeded(JobStore store) {
    return store.countByStatus().getOrDefault(JobStatus.SUCCEEDED, 0L);
  }

  private record Result(double seconds, double p50Millis, double p99Millis) {}

  /** What the benchmark needs around the queue: a box to point at, latency percentiles. */
  static final class Fixtures {
    private Fixtures() {}

    /** Customers with a box each for the jobs to point at, made through the real stores. */
    static List<UUID> boxes(Database database, int count) {
      SecretBox secrets = new SecretBox(new CryptoSettings("bench", Map.of("bench", new byte[32])));
      BoxStore boxes = new BoxStore(database, secrets);
      CustomerStore customers = new CustomerStore(database);
      List<UUID> ids = new ArrayList<>();
      for (int i = 1; i <= count; i++) {
        UUID customer =
            customers
                .create(database.execute(), NewCustomer.ofEmail("bench" + i + "@example.com"))
                .id();
        NewBox box =
            new NewBox(
                customer,
                i,
                "bench_" + i + "_bot",
                i + ":bench-token",
                List.of(1L),
                "kimi-k2.6",
                ThinkingLevel.OFF,
                BoxRuntime.LOCAL);
        ids.add(boxes.create(database.execute(), box).id());
      }
      return ids;
    }

    /**
     * The latency in ms from enqueue to finished of the batch's jobs at each of {@code percentiles}
     * (1.0: the slowest job).
     */
    static double[] latencyPercentiles(Database database, String batch, double... percentiles) {
      StringBuilder columns = new StringBuilder();
      for (int i = 0; i < percentiles.length; i++) {
        columns
            .append(i == 0 ? "" : ", ")
            .append(
                String.format(
                    Locale.ROOT,
                    "percentile_cont(%s) WITHIN GROUP (ORDER BY ms) AS p%d",
                    percentiles[i],
                    i));
      }
      return database
          .execute()
          .get(
              "SELECT "
                  + columns
                  + " FROM (SELECT extract(epoch FROM finished_at - created_at) * 1000 AS ms"
                  + " FROM operator_jobs WHERE idempotency_key LIKE ?) t",
              batch + "%")
          .map(
              row -> {
                double[] values = new double[percentiles.length];
                for (int i = 0; i < values.length; i++) {
                  values[i] = ((Number) Rows.value(row, "p" + i)).doubleValue();
                }
                return values;
              })
          .orElseThrow();
    }
  }
}
