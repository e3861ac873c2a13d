package cloud.openclaw.bench;

import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.kubernetes.Kubelet;
import cloud.openclaw.operator.kubernetes.KubernetesRuntime;
import cloud.openclaw.operator.kubernetes.KubernetesSettings;
import cloud.openclaw.operator.reconcile.Reconciler;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.User;
import cloud.openclaw.testkit.PostgresServer;
import cloud.openclaw.testkit.RedisServer;
import cloud.openclaw.testkit.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The operator's numbers in docs/benchmarks.md:
 *
 * <ul>
 *   <li>{@code provision [boxes] [workers,...]}: that many provision jobs enqueued at once, run by
 *       the operator service (Kubernetes runtime) against fabric8's mock API server in CRUD mode,
 *       with a stand-in kubelet marking Deployments available; time until every job has succeeded
 *       (so every gateway is applied and available) and each job's enqueue-to-finish latency;
 *   <li>{@code reconcile [boxes]}: one reconciler pass over that many running boxes, with no drift
 *       and with a tenth of their namespaces gone;
 *   <li>{@code priority [updates] [rounds] [slow s]}: a new customer's provision, enqueue to
 *       claimed and to live, while every worker that takes updates holds a slow one (its gateway
 *       available after the given seconds) and that many more updates wait; with 4 of the 16
 *       workers taking lifecycle jobs only (the default), then with none;
 *   <li>{@code local [runs]}: one box on the local runtime with the real OpenClaw gateway
 *       (installed in ~/.cache/openclaw-cloud on first use), from the job being enqueued to the
 *       gateway's first getUpdates on the sandbox's Telegram, split by the steps the job row
 *       records;
 *   <li>{@code scale [running] [provisions] [large]}: the Phase 4 load, simulated: that many
 *       running boxes on the mock API server, a reconcile pass over them, then that many provisions
 *       at once run by the operator service beside them, then a reconcile pass over {@code large}
 *       running boxes (docs/capacity.md);
 *   <li>{@code memory [turns]}: the real OpenClaw gateway of one local box, its resident memory
 *       idle after start and after a conversation of that many turns (docs/capacity.md).
 * </ul>
 *
 * <p>Run: {@code ./openclaw-cloud bench operator provision|reconcile|priority|local|scale|memory
 * [n]} (PostgreSQL and Redis from OPENCLAW_TEST_DATABASE_URL / OPENCLAW_TEST_REDIS_URL, else
 * embedded).
 */
public final class OperatorBenchmark {
  private static final String INTERNAL_TOKEN = "bench-internal-token-0123456789";
  private static final byte[] KEY = new byte[32];

  private final Database database;
  private final TestDatabase testDatabase;
  private final String redisPrefix = "bench:" + UUID.randomUUID() + ":";
  private final Redis redis;
  private final BoxStore boxes;
  private final CustomerStore customers;
  private final java.util.concurrent.atomic.AtomicLong botIds =
      new java.util.concurrent.atomic.AtomicLong(1);

  private OperatorBenchmark(TestDatabase testDatabase, Database database) {
    this.testDatabase = testDatabase;
    this.database = database;
    this.redis = Redis.connect(new RedisSettings(RedisServer.shared().url(), redisPrefix, 32));
    this.boxes = new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", KEY))));
    this.customers = new CustomerStore(database);
  }

  public static void main(String[] args) throws Exception {
    Logger.getLogger("").setLevel(Level.WARNING);
    String mode = args.length > 0 ? args[0] : "provision";
    TestDatabase testDatabase = PostgresServer.shared().createDatabase("operator_bench");
    try (Database database =
        Database.connect(
            new DatabaseSettings(
                testDatabase.jdbcUrl(), testDatabase.user(), testDatabase.password(), 24))) {
      Migrations.apply(database.dataSource());
      OperatorBenchmark bench = new OperatorBenchmark(testDatabase, database);
      System.out.printf(
          "operator benchmark %s, %s, %d cores%n%n",
          mode, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
      switch (mode) {
        case "provision" ->
            bench.provision(
                args.length > 1 ? Integer.parseInt(args[1]) : 100,
                args.length > 2
                    ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
                    : new int[] {1, 16});
        case "reconcile" -> bench.reconcile(args.length > 1 ? Integer.parseInt(args[1]) : 500);
        case "local" -> bench.local(args.length > 1 ? Integer.parseInt(args[1]) : 3);
        case "scale" ->
            bench.scale(
                args.length > 1 ? Integer.parseInt(args[1]) : 500,
                args.length > 2 ? Integer.parseInt(args[2]) : 100,
                args.length > 3 ? Integer.parseInt(args[3]) : 5000);
        case "memory" -> bench.memory(args.length > 1 ? Integer.parseInt(args[1]) : 5);
        case "priority" ->
            bench.priority(
                args.length > 1 ? Integer.parseInt(args[1]) : 100,
                args.length > 2 ? Integer.parseInt(args[2]) : 5,
                args.length > 3 ? Integer.parseInt(args[3]) : 20);
        default ->
            throw new IllegalArgumentException(
                "provision, reconcile, priority, local, scale or memory: " + mode);
      }
      bench.redis.close();
    }
    System.exit(0);
  }

  // --- provision ------------------------------------------------------------------------------

  private void provision(int count, int[] workerCounts) throws Exception {
    try (Services services = Services.start(testDatabase, redisPrefix)) {
      System.out.println(
          "| boxes | job workers | all available s | jobs/s | job p50 ms | job p95 ms | job max ms"
              + " |");
      System.out.println("|---|---|---|---|---|---|---|");
      boolean warm = false;
      for (int workers : workerCounts) {
        if (!warm) {
          provisionRound(services, Math.min(count, 10), workers); // JIT, pools
          warm = true;
        }
        double[] r = provisionRound(services, count, workers);
        System.out.printf(
            Locale.ROOT,
            "| %d | %d | %.2f | %.1f | %.0f | %.0f | %.0f |%n",
            count,
            workers,
            r[0],
            count / r[0],
            r[1],
            r[2],
            r[3]);
      }
    }
  }

  /** Seconds until all succeeded, then p50, p95 and max job latency in ms. */
  private double[] provisionRound(Services services, int count, int workers) throws Exception {
    KubernetesMockServer server = crudApiServer();
    KubernetesClient client = server.createClient();
    List<Box> created = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // a bot the sandbox's Telegram knows: the operator asks it before a box is running
      created.add(
          newBox(
              services.proxyClient(),
              BoxRuntime.KUBERNETES,
              services.sandbox().telegram().createBot(null)));
    }
    Thread kubelet = Kubelet.followAll(client);
    Map<String, String> overrides = services.operatorOverrides();
    overrides.put("operator.kubernetes.enabled", "true");
    overrides.put("operator.job-workers", Integer.toString(workers));
    overrides.put("redis.pool-size", Integer.toString(Math.max(32, 2 * workers)));
    String batch = "bench-provision-" + UUID.randomUUID() + "-";
    JobStore store = new JobStore(database, 8);
    try (RunningService operator = kubernetesOperator(overrides, client)) {
      JobQueue queue =
          new JobQueue(store, new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
      long start = System.nanoTime();
      for (Box box : created) {
        queue.enqueue(new NewJob(JobType.PROVISION, box.id(), null, batch + box.id()));
      }
      await(
          () -> succeeded(batch) == count,
          Duration.ofMinutes(10),
          "all " + count + " provisions to succeed");
      double seconds = (System.nanoTime() - start) / 1e9;
      double[] latency =
          QueueBenchmark.Fixtures.latencyPercentiles(database, batch, 0.5, 0.95, 1.0);
      return new double[] {seconds, latency[0], latency[1], latency[2]};
    } finally {
      kubelet.interrupt();
      client.close();
      server.destroy();
    }
  }

  private long succeeded(String batch) {
    return count(batch, JobType.PROVISION, JobStatus.SUCCEEDED);
  }

  /** The operator service on the Kubernetes runtime, with {@code client}'s API server. */
  private static RunningService kubernetesOperator(
      Map<String, String> overrides, KubernetesClient client) {
    return cloud.openclaw.operator.Main.start(
        ConfigLoader.load("operator", Map.of(), overrides),
        () -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build());
  }

  /** An API server of fabric8's mock in CRUD mode, started. */
  private static KubernetesMockServer crudApiServer() {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    return server;
  }

  // --- priority -------------------------------------------------------------------------------

  /**
   * A new customer's provision while every worker that takes updates is busy with a slow one and
   * {@code waiting} more updates are queued: with {@code operator.lifecycle-workers} at its default
   * (4 of 16) and at 0. Each update's gateway takes {@code slowSeconds} to become available.
   */
  private void priority(int waiting, int rounds, int slowSeconds) throws Exception {
    try (Services services = Services.start(testDatabase, redisPrefix)) {
      System.out.println(
          "| lifecycle workers | updates running | updates queued | provision: enqueue → claimed"
              + " ms (median, max) | enqueue → live ms (median, max) |");
      System.out.println("|---|---|---|---|---|");
      for (int lifecycleWorkers : new int[] {4, 0}) {
        priorityRound(services, lifecycleWorkers, waiting, rounds, slowSeconds);
      }
    }
  }

  private void priorityRound(
      Services services, int lifecycleWorkers, int waiting, int rounds, int slowSeconds)
      throws Exception {
    int workers = 16;
    int updateWorkers = workers - lifecycleWorkers;
    KubernetesMockServer server = crudApiServer();
    KubernetesClient client = server.createClient();
    KubernetesSettings settings = KubernetesSettings.from(new Settings(operatorConfig(Map.of())));
    // A held namespace's gateway becomes available slowSeconds after the kubelet first saw it.
    Map<String, Long> held = new java.util.concurrent.ConcurrentHashMap<>();
    Thread kubelet =
        Kubelet.followAll(
            client,
            ns -> {
              Long since = held.get(ns);
              if (since == null) {
                return true;
              }
              if (since == 0L) {
                held.put(ns, System.nanoTime());
                return false;
              }
              return System.nanoTime() - since > slowSeconds * 1_000_000_000L;
            });
    List<Box> slow = new ArrayList<>();
    for (int i = 0; i < updateWorkers + waiting; i++) {
      Box box = newBox(services.proxyClient(), BoxRuntime.KUBERNETES, null);
      held.put(BoxResources.namespaceName(box, settings), 0L);
      slow.add(box);
    }
    Map<String, String> overrides = services.operatorOverrides();
    overrides.put("operator.kubernetes.enabled", "true");
    overrides.put("operator.job-workers", Integer.toString(workers));
    overrides.put("operator.lifecycle-workers", Integer.toString(lifecycleWorkers));
    String batch = "bench-priority-" + UUID.randomUUID() + "-";
    JobStore store = new JobStore(database, 8);
    try (RunningService operator = kubernetesOperator(overrides, client)) {
      JobQueue queue =
          new JobQueue(store, new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
      for (Box box : slow) {
        queue.enqueue(new NewJob(JobType.UPDATE, box.id(), null, batch + "u-" + box.id()));
      }
      await(
          () -> count(batch, JobType.UPDATE, JobStatus.RUNNING) >= updateWorkers,
          Duration.ofMinutes(5),
          "every update worker to hold an update");
      long running = count(batch, JobType.UPDATE, JobStatus.RUNNING);
      long queued = count(batch, JobType.UPDATE, JobStatus.QUEUED);
      double[] claimed = new double[rounds];
      double[] live = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        Box paid = newBox(services.proxyClient(), BoxRuntime.KUBERNETES, null);
        Job provision =
            queue.enqueue(new NewJob(JobType.PROVISION, paid.id(), null, batch + "p-" + r));
        await(
            () -> store.find(provision.id()).orElseThrow().status() == JobStatus.SUCCEEDED,
            Duration.ofMinutes(10),
            "the provision to succeed");
        Job done = store.find(provision.id()).orElseThrow();
        claimed[r] = Duration.between(done.createdAt(), done.startedAt()).toNanos() / 1e6;
        live[r] = Duration.between(done.createdAt(), done.finishedAt()).toNanos() / 1e6;
      }
      Arrays.sort(claimed);
      Arrays.sort(live);
      System.out.printf(
          Locale.ROOT,
          "| %d of %d | %d | %d | %.0f, %.0f | %.0f, %.0f |%n",
          lifecycleWorkers,
          workers,
          running,
          queued,
          claimed[rounds / 2],
          claimed[rounds - 1],
          live[rounds / 2],
          live[rounds - 1]);
      // The slow customers leave: their updates stop waiting (superseded), so closing is quick.
      for (Box box : slow) {
        boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.DESTROYED);
      }
      await(
          () ->
              count(batch, JobType.UPDATE, JobStatus.RUNNING)
                      + count(batch, JobType.UPDATE, JobStatus.QUEUED)
                  == 0,
          Duration.ofMinutes(5),
          "the updates to end");
    } finally {
      kubelet.interrupt();
      client.close();
      server.destroy();
    }
  }

  private long count(String batch, JobType type, JobStatus status) {
    return database
        .execute()
        .get(
            "SELECT count(*) AS n FROM operator_jobs"
                + " WHERE idempotency_key LIKE ? AND type = ? AND status = ?",
            batch + "%",
            type.dbValue(),
            status.dbValue())
        .map(row -> Rows.longValue(row, "n"))
        .orElse(0L);
  }

  // --- reconcile ------------------------------------------------------------------------------

  private void reconcile(int count) throws Exception {
    ProxyTokenStore tokens = new ProxyTokenStore(database);
    KubernetesMockServer server = crudApiServer();
    try (KubernetesClient client = server.createClient()) {
      KubernetesSettings settings = KubernetesSettings.from(new Settings(operatorConfig(Map.of())));
      List<Box> running = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Box box = newBox(null, BoxRuntime.KUBERNETES, null);
        box = boxes.markObserved(database.execute(), box.id(), BoxObservedState.RUNNING, null);
        running.add(box);
        // Converged: its namespace, its gateway wanting a replica, an active token.
        BoxResources.Desired desired =
            BoxResources.desired(
                box, settings, new BoxResources.Secrets("1:bot", "oc_pt_x", "gateway"));
        client.resource(desired.namespace()).create();
        client.resource(desired.deployment()).create();
        tokens.issue(database.execute(), box.id());
      }
      JobStore store = new JobStore(database, 8);
      JobStream stream = new JobStream(redis, "reconcile-bench");
      stream.ensureGroup();
      Reconciler reconciler =
          new Reconciler(
              boxes, Runtimes.of(new KubernetesRuntime(client, settings)), store, stream);
      for (int i = 0; i < 3; i++) {
        reconciler.runOnce(); // warm-up
      }
      double[] quiet = new double[10];
      for (int i = 0; i < quiet.length; i++) {
        long t = System.nanoTime();
        Reconciler.Report report = reconciler.runOnce();
        quiet[i] = (System.nanoTime() - t) / 1e6;
        if (!report.nothingToDo()) {
          throw new IllegalStateException("drift where there is none: " + report);
        }
      }
      int gone = count / 10;
      for (Box box : running.subList(0, gone)) {
        client.namespaces().withName(BoxResources.namespaceName(box, settings)).delete();
      }
      long t = System.nanoTime();
      Reconciler.Report report = reconciler.runOnce();
      double drift = (System.nanoTime() - t) / 1e6;
      Arrays.sort(quiet);
      System.out.println("| boxes | pass | ms | repaired |");
      System.out.println("|---|---|---|---|");
      System.out.printf(
          Locale.ROOT,
          "| %d | no drift (median of %d; min %.1f, max %.1f) | %.1f | 0 |%n",
          count,
          quiet.length,
          quiet[0],
          quiet[quiet.length - 1],
          quiet[quiet.length / 2]);
      System.out.printf(
          Locale.ROOT,
          "| %d | %d namespaces gone | %.1f | %d provisions enqueued |%n",
          count,
          gone,
          drift,
          report.provisionsEnqueued());
    } finally {
      server.destroy();
    }
  }

  // --- scale ----------------------------------------------------------------------------------

  /**
   * {@code running} converged boxes, a reconcile pass over them, {@code provisions} provisions at
   * once by the operator service (16 job workers) while they run, then boxes added up to {@code
   * large} running and a reconcile pass over those. One mock API server holds everything, so each
   * step sees the objects of the steps before it, as a cluster would.
   */
  private void scale(int running, int provisions, int large) throws Exception {
    ProxyTokenStore tokens = new ProxyTokenStore(database);
    KubernetesMockServer server = crudApiServer();
    KubernetesSettings settings = KubernetesSettings.from(new Settings(operatorConfig(Map.of())));
    try (Services services = Services.start(testDatabase, redisPrefix);
        KubernetesClient client = server.createClient()) {
      int workers = 16;
      // The same provisions with nothing else in the cluster, first: the row to compare with.
      provisionRound(services, Math.min(10, provisions), workers); // JIT, pools
      double[] alone = provisionRound(services, provisions, workers);
      List<Box> all = new ArrayList<>();
      long seeding = System.nanoTime();
      // Bots the sandbox's Telegram knows: the operator's bot watcher asks it about every running
      // box.
      seedRunning(
          client,
          settings,
          tokens,
          running,
          all,
          () -> services.sandbox().telegram().createBot(null));
      System.out.printf(
          Locale.ROOT,
          "(%d running boxes seeded in %.1f s)%n%n",
          running,
          (System.nanoTime() - seeding) / 1e9);
      Reconciler reconciler =
          new Reconciler(
              boxes,
              Runtimes.of(new KubernetesRuntime(client, settings)),
              new JobStore(database, 8),
              reconcileStream());
      List<String> reconcileRows = new ArrayList<>();
      reconcileRows.add(reconcileRow(reconciler, all.size()));

      Thread kubelet = Kubelet.followAll(client);
      Map<String, String> overrides = services.operatorOverrides();
      overrides.put("operator.kubernetes.enabled", "true");
      overrides.put("operator.job-workers", Integer.toString(workers));
      overrides.put("redis.pool-size", Integer.toString(Math.max(32, 2 * workers)));
      JobStore store = new JobStore(database, 8);
      String provisionRow;
      try (RunningService operator = kubernetesOperator(overrides, client)) {
        JobQueue queue =
            new JobQueue(store, new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
        provisionBatch(services, queue, Math.min(10, provisions), all); // JIT, pools
        int before = all.size();
        String batch = "bench-scale-" + UUID.randomUUID() + "-";
        List<Box> paid = new ArrayList<>();
        for (int i = 0; i < provisions; i++) {
          paid.add(
              newBox(
                  services.proxyClient(),
                  BoxRuntime.KUBERNETES,
                  services.sandbox().telegram().createBot(null)));
        }
        long start = System.nanoTime();
        for (Box box : paid) {
          queue.enqueue(new NewJob(JobType.PROVISION, box.id(), null, batch + box.id()));
        }
        await(
            () -> succeeded(batch) == provisions,
            Duration.ofMinutes(10),
            "all " + provisions + " provisions to succeed");
        double seconds = (System.nanoTime() - start) / 1e9;
        all.addAll(paid);
        double[] latency =
            QueueBenchmark.Fixtures.latencyPercentiles(database, batch, 0.5, 0.95, 1.0);
        provisionRow =
            String.format(
                Locale.ROOT,
                "| %d | %d | %d | %.2f | %.1f | %.0f | %.0f | %.0f |",
                before,
                provisions,
                workers,
                seconds,
                provisions / seconds,
                latency[0],
                latency[1],
                latency[2]);
      } finally {
        kubelet.interrupt();
      }

      long growing = System.nanoTime();
      int added = Math.max(0, large - all.size());
      seedRunning(client, settings, tokens, added, all, () -> null); // no operator from here on
      System.out.printf(
          Locale.ROOT,
          "(%d more running boxes seeded in %.1f s)%n%n",
          added,
          (System.nanoTime() - growing) / 1e9);
      reconcileRows.add(reconcileRow(reconciler, all.size()));
      int gone = all.size() / 10;
      for (Box box : all.subList(all.size() - gone, all.size())) {
        client.namespaces().withName(BoxResources.namespaceName(box, settings)).delete();
      }
      long t = System.nanoTime();
      Reconciler.Report report = reconciler.runOnce();
      reconcileRows.add(
          String.format(
              Locale.ROOT,
              "| %d | %d namespaces gone | %.1f | %d provisions enqueued |",
              all.size(),
              gone,
              (System.nanoTime() - t) / 1e6,
              report.provisionsEnqueued()));

      System.out.println(
          "| running boxes | provisions at once | job workers | all available s | jobs/s"
              + " | job p50 ms | job p95 ms | job max ms |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      System.out.printf(
          Locale.ROOT,
          "| 0 | %d | %d | %.2f | %.1f | %.0f | %.0f | %.0f |%n",
          provisions,
          workers,
          alone[0],
          provisions / alone[0],
          alone[1],
          alone[2],
          alone[3]);
      System.out.println(provisionRow);
      System.out.println();
      System.out.println("| running boxes | reconcile pass | ms | repaired |");
      System.out.println("|---|---|---|---|");
      reconcileRows.forEach(System.out::println);
    } finally {
      server.destroy();
    }
  }

  /** {@code count} provisions at once, awaited: the warm-up of the operator's paths. */
  private void provisionBatch(Services services, JobQueue queue, int count, List<Box> all)
      throws Exception {
    String batch = "bench-scale-warm-" + UUID.randomUUID() + "-";
    for (int i = 0; i < count; i++) {
      Box box =
          newBox(
              services.proxyClient(),
              BoxRuntime.KUBERNETES,
              services.sandbox().telegram().createBot(null));
      queue.enqueue(new NewJob(JobType.PROVISION, box.id(), null, batch + box.id()));
      all.add(box);
    }
    await(() -> succeeded(batch) == count, Duration.ofMinutes(5), "the warm-up provisions");
  }

  /**
   * Adds {@code count} running, converged boxes: namespace, gateway Deployment, active token. Eight
   * at a time: one after the other, the round trips to PostgreSQL and the API server make 5,000
   * take minutes.
   */
  private void seedRunning(
      KubernetesClient client,
      KubernetesSettings settings,
      ProxyTokenStore tokens,
      int count,
      List<Box> into,
      java.util.function.Supplier<Bot> bots)
      throws Exception {
    List<java.util.concurrent.Future<Box>> seeded = new ArrayList<>();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < count; i++) {
        seeded.add(
            pool.submit(
                () -> {
                  Box box = newBox(null, BoxRuntime.KUBERNETES, bots.get());
                  box =
                      boxes.markObserved(
                          database.execute(), box.id(), BoxObservedState.RUNNING, null);
                  BoxResources.Desired desired =
                      BoxResources.desired(
                          box, settings, new BoxResources.Secrets("1:bot", "oc_pt_x", "gateway"));
                  client.resource(desired.namespace()).create();
                  client.resource(desired.deployment()).create();
                  tokens.issue(database.execute(), box.id());
                  return box;
                }));
      }
    }
    for (var box : seeded) {
      into.add(box.get());
    }
  }

  private JobStream reconcileStream() {
    JobStream stream = new JobStream(redis, "reconcile-bench-" + UUID.randomUUID());
    stream.ensureGroup();
    return stream;
  }

  /** Three warm-up passes, then the median (min, max) of five passes without drift. */
  private static String reconcileRow(Reconciler reconciler, int boxCount) {
    for (int i = 0; i < 3; i++) {
      reconciler.runOnce();
    }
    double[] passes = new double[5];
    for (int i = 0; i < passes.length; i++) {
      long t = System.nanoTime();
      Reconciler.Report report = reconciler.runOnce();
      passes[i] = (System.nanoTime() - t) / 1e6;
      if (!report.nothingToDo()) {
        throw new IllegalStateException("drift where there is none: " + report);
      }
    }
    Arrays.sort(passes);
    return String.format(
        Locale.ROOT,
        "| %d | no drift (median of %d; min %.1f, max %.1f) | %.1f | 0 |",
        boxCount,
        passes.length,
        passes[0],
        passes[passes.length - 1],
        passes[passes.length / 2]);
  }

  // --- memory ---------------------------------------------------------------------------------

  /**
   * One local box with the real gateway: its resident memory (the gateway process and any it
   * started) sampled every second for a minute after its first getUpdates (idle), then after a
   * conversation of {@code turns} messages from the allowed user, each answered through the token
   * proxy by the Kimi stand-in, sampled again for half a minute.
   */
  private void memory(int turns) throws Exception {
    try (Services services = Services.start(testDatabase, redisPrefix)) {
      java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("operator-bench");
      Map<String, String> overrides = services.localOperatorOverrides(dataDir);
      JobStore store = new JobStore(database, 8);
      try (RunningService operator =
          cloud.openclaw.operator.Main.start(ConfigLoader.load("operator", Map.of(), overrides))) {
        JobQueue queue =
            new JobQueue(store, new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
        Bot bot = services.sandbox().telegram().createBot(null);
        Box box = newBox(services.proxyClient(), BoxRuntime.LOCAL, bot);
        Job job =
            queue.enqueue(new NewJob(JobType.PROVISION, box.id(), null, "bench-mem-" + box.id()));
        await(
            () -> services.sandbox().telegram().stats(bot.id()).polls() > 0,
            Duration.ofMinutes(15),
            "the gateway's first getUpdates");
        await(
            () -> store.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED,
            Duration.ofMinutes(1),
            "the provision to succeed");
        long pid =
            Long.parseLong(
                java.nio.file.Files.readString(
                        dataDir
                            .resolve("boxes")
                            .resolve(box.id().toString())
                            .resolve("gateway.pid"))
                    .trim());
        System.out.println(
            "| box | samples | gateway processes | RSS MiB (last) | RSS MiB (max) | PSS MiB (last)"
                + " | gateway peak RSS (VmHWM) MiB |");
        System.out.println("|---|---|---|---|---|---|---|");
        System.out.println(
            ResidentMemory.sample(pid, Duration.ofSeconds(60))
                .row("idle, 1 min after its first getUpdates"));
        User ada = User.of(4242L, "Ada");
        for (int turn = 1; turn <= turns; turn++) {
          int before = services.sandbox().telegram().botMessages(bot.id(), ada.id()).size();
          services
              .sandbox()
              .telegram()
              .sendAsUser(
                  bot.id(),
                  ada,
                  "Message "
                      + turn
                      + ": please summarise what we talked about so far, and remind me to call"
                      + " the plumber tomorrow at nine; also list three ideas for dinner.");
          await(
              () -> services.sandbox().telegram().botMessages(bot.id(), ada.id()).size() > before,
              Duration.ofMinutes(3),
              "the answer to message " + turn);
        }
        System.out.println(
            ResidentMemory.sample(pid, Duration.ofSeconds(30))
                .row("after a conversation of " + turns + " messages answered"));
      }
    }
  }

  // --- local ----------------------------------------------------------------------------------

  private void local(int runs) throws Exception {
    try (Services services = Services.start(testDatabase, redisPrefix)) {
      Map<String, String> overrides =
          services.localOperatorOverrides(
              java.nio.file.Files.createTempDirectory("operator-bench"));
      JobStore store = new JobStore(database, 8);
      System.out.println(
          "| run | queue ms | ours: accepted → process launched ms | OpenClaw: launched → /startupz"
              + " ms | OpenClaw: /startupz → first getUpdates ms | enqueue → first getUpdates ms |");
      System.out.println("|---|---|---|---|---|---|");
      try (RunningService operator =
          cloud.openclaw.operator.Main.start(ConfigLoader.load("operator", Map.of(), overrides))) {
        JobQueue queue =
            new JobQueue(store, new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
        for (int run = 1; run <= runs; run++) {
          Bot bot = services.sandbox().telegram().createBot(null);
          Box box = newBox(services.proxyClient(), BoxRuntime.LOCAL, bot);
          Instant enqueued = Instant.now();
          Job job =
              queue.enqueue(
                  new NewJob(JobType.PROVISION, box.id(), null, "bench-local-" + box.id()));
          await(
              () -> services.sandbox().telegram().stats(bot.id()).polls() > 0,
              Duration.ofMinutes(15),
              "the gateway's first getUpdates");
          Instant firstPoll = Instant.now();
          await(
              () -> store.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED,
              Duration.ofMinutes(1),
              "the provision to succeed");
          Map<String, Instant> steps = steps(job.id());
          System.out.printf(
              Locale.ROOT,
              "| %d | %d | %d | %d | %d | %d |%n",
              run,
              Duration.between(enqueued, steps.get("accepted")).toMillis(),
              Duration.between(steps.get("accepted"), steps.get("scheduled")).toMillis(),
              Duration.between(steps.get("scheduled"), steps.get("live")).toMillis(),
              Duration.between(steps.get("live"), firstPoll).toMillis(),
              Duration.between(enqueued, firstPoll).toMillis());
          Job destroy =
              database.inTransaction(
                  tx -> {
                    boxes.setDesiredState(tx.execute(), box.id(), BoxDesiredState.DESTROYED);
                    return queue.enqueue(
                        tx,
                        new NewJob(JobType.DESTROY, box.id(), null, "bench-local-d-" + box.id()));
                  });
          await(
              () -> store.find(destroy.id()).orElseThrow().status() == JobStatus.SUCCEEDED,
              Duration.ofMinutes(1),
              "the destroy to succeed");
        }
      }
    }
  }

  /** When each step of the job was first recorded. */
  private Map<String, Instant> steps(UUID jobId) throws Exception {
    String text =
        database
            .execute()
            .get("SELECT steps::text AS steps FROM operator_jobs WHERE id = ?", jobId)
            .map(row -> Rows.string(row, "steps"))
            .orElseThrow();
    Map<String, Instant> at = new HashMap<>();
    for (JsonNode step : Json.MAPPER.readTree(text)) {
      at.putIfAbsent(step.path("step").asText(), Instant.parse(step.path("at").asText()));
    }
    return at;
  }

  // --- fixtures -------------------------------------------------------------------------------

  /** An active customer on the bench plan with a box; its allowance opened when proxy is given. */
  private Box newBox(TokenProxyClient proxy, BoxRuntime runtime, Bot bot) {
    UUID customer =
        customers
            .create(
                database.execute(),
                new NewCustomer("bench-" + UUID.randomUUID() + "@example.com", null, null, "bench"))
            .id();
    customers.setStatus(database.execute(), customer, CustomerStatus.ACTIVE);
    // Outside the sandbox's ids (TelegramStandIn.FIRST_BOT_ID on), which a run may hand out too.
    long botId = bot == null ? 9_000_000_000L + botIds.getAndIncrement() : bot.id();
    Box box =
        boxes.create(
            database.execute(),
            new NewBox(
                customer,
                botId,
                bot == null ? "bench_" + botId + "_bot" : bot.username(),
                bot == null ? botId + ":bench-token" : bot.token(),
                List.of(4242L),
                "kimi-k2.6",
                ThinkingLevel.OFF,
                runtime));
    if (proxy != null) {
      Instant now = Instant.now();
      proxy.openPeriod(customer, now.minusSeconds(60), now.plus(Duration.ofDays(30)), 1_000_000);
    }
    return box;
  }

  private static io.helidon.config.Config operatorConfig(Map<String, String> overrides) {
    return ConfigLoader.load("operator", Map.of(), overrides);
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /** The sandbox and a token proxy on the benchmark's database, and what the operator needs. */
  private record Services(
      cloud.openclaw.sandbox.Main.Sandbox sandbox,
      RunningService proxy,
      int internalPort,
      TestDatabase database,
      String redisPrefix)
      implements AutoCloseable {

    static Services start(TestDatabase database, String redisPrefix) throws Exception {
      cloud.openclaw.sandbox.Main.Sandbox sandbox =
          cloud.openclaw.sandbox.Main.startSandbox(
              ConfigLoader.load(
                  "sandbox", Map.of(), Map.of("sandbox.host", "127.0.0.1", "sandbox.port", "0")));
      int internalPort = ProxyBenchmark.freePort();
      RunningService proxy =
          cloud.openclaw.proxy.Main.start(
              ConfigLoader.load(
                  "token-proxy",
                  Map.of(),
                  ProxyBenchmark.proxyOverrides(
                      database,
                      "http://127.0.0.1:" + sandbox.service().port() + "/kimi/v1",
                      0,
                      internalPort)));
      return new Services(sandbox, proxy, internalPort, database, redisPrefix);
    }

    TokenProxyClient proxyClient() {
      return new TokenProxyClient(URI.create("http://127.0.0.1:" + internalPort), INTERNAL_TOKEN);
    }

    Map<String, String> operatorOverrides() {
      Map<String, String> overrides = new HashMap<>();
      overrides.put("db.url", database.jdbcUrl());
      overrides.put("db.user", database.user());
      overrides.put("db.password", database.password());
      overrides.put("db.pool-size", "24");
      overrides.put("redis.url", RedisServer.shared().url());
      overrides.put("redis.prefix", redisPrefix);
      overrides.put("crypto.keys", "k:" + Base64.getEncoder().encodeToString(KEY));
      overrides.put("crypto.active-key", "k");
      overrides.put("jobs.poll-timeout", "PT0.2S");
      overrides.put("operator.host", "127.0.0.1");
      overrides.put("operator.port", "0");
      overrides.put("operator.reconcile-interval", "PT1H");
      overrides.put("operator.ready-timeout", "PT5M");
      overrides.put("operator.token-proxy.internal-url", "http://127.0.0.1:" + internalPort);
      overrides.put("operator.token-proxy.internal-token", INTERNAL_TOKEN);
      overrides.put(
          "telegram.api-root", "http://127.0.0.1:" + sandbox.service().port() + "/telegram");
      return overrides;
    }

    /** The operator's settings for boxes on the local runtime, their directories in dataDir. */
    Map<String, String> localOperatorOverrides(java.nio.file.Path dataDir) {
      Map<String, String> overrides = operatorOverrides();
      overrides.put("operator.local.enabled", "true");
      overrides.put("operator.local.data-dir", dataDir.toString());
      overrides.put("operator.local.port-range", "0");
      overrides.put(
          "operator.local.token-proxy-base-url", "http://127.0.0.1:" + proxy.port() + "/v1");
      overrides.put(
          "operator.local.telegram-api-root",
          "http://127.0.0.1:" + sandbox.service().port() + "/telegram");
      String cache = System.getenv("OPENCLAW_LOCAL_CACHE_DIR");
      if (cache != null && !cache.isBlank()) {
        overrides.put("operator.local.cache-dir", cache);
      }
      return overrides;
    }

    @Override
    public void close() {
      proxy.close();
      sandbox.service().close();
    }
  }
}
