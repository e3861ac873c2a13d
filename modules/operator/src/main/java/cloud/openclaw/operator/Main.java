package cloud.openclaw.operator;

import cloud.openclaw.operator.bots.BotCheck;
import cloud.openclaw.operator.bots.BotWatcher;
import cloud.openclaw.operator.jobs.BoxJobs;
import cloud.openclaw.operator.jobs.Progress;
import cloud.openclaw.operator.kubernetes.KubernetesRuntime;
import cloud.openclaw.operator.kubernetes.KubernetesSettings;
import cloud.openclaw.operator.kubernetes.WorkspaceSnapshots;
import cloud.openclaw.operator.local.LocalGatewayRuntime;
import cloud.openclaw.operator.local.LocalRuntime;
import cloud.openclaw.operator.local.LocalSettings;
import cloud.openclaw.operator.reconcile.Reconciler;
import cloud.openclaw.operator.runtime.GatewayRuntime;
import cloud.openclaw.operator.runtime.Runtimes;
import cloud.openclaw.operator.workspaces.WorkspaceStore;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.JobSettings;
import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.http.Opened;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobRelay;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobWorker;
import cloud.openclaw.platform.jobs.Lane;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.KeyRotation;
import cloud.openclaw.platform.telegram.TelegramBots;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The operator service: consumes the job queue and runs boxes on Kubernetes ({@code
 * operator.kubernetes.enabled}) and/or as local processes ({@code operator.local.enabled}, dev mode
 * and small installs); each job goes to its box's runtime. With neither enabled it only serves
 * health. With either, a {@link Reconciler} repairs drift between PostgreSQL and the runtimes on
 * start and every {@code operator.reconcile-interval}, and a {@link BotWatcher} asks Telegram about
 * every running box's bot every {@code operator.bot-check-interval}. With a workspace store, {@link
 * WorkspaceSnapshots} copies the running Kubernetes boxes' workspaces every {@code
 * operator.workspaces.snapshot-interval}.
 */
public final class Main {
  static final String SERVICE = "operator";

  /** The job queue the API enqueues onto and the operator consumes. */
  public static final String QUEUE = "operator";

  private static final Logger LOG = Logger.getLogger(Main.class.getName());
  private static final Duration METRICS_REFRESH = Duration.ofSeconds(10);

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /**
   * Connects to PostgreSQL (migrated) and Redis, starts the job worker, relay and reconciler when a
   * runtime is enabled, then serves on {@code operator.host:operator.port}.
   */
  public static RunningService start(Config config) {
    return start(config, () -> new KubernetesClientBuilder().build());
  }

  /** As {@link #start(Config)}, with the Kubernetes client from {@code kubernetes} (tests). */
  public static RunningService start(Config config, Supplier<KubernetesClient> kubernetes) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, "operator");
    PlatformSettings platform = PlatformSettings.from(settings);
    Opened opened = new Opened();
    try {
      Connections connections = opened.add(Connections.open(platform));
      PrometheusMeterRegistry registry = Metrics.registry(SERVICE);
      OperatorMetrics metrics = new OperatorMetrics(registry);
      Runtimes runtimes = runtimes(settings, kubernetes, connections, metrics, opened);
      if (!runtimes.isEmpty()) {
        startWorker(settings, platform.jobs(), connections, runtimes, metrics, opened);
      } else {
        LOG.info(
            "operator.kubernetes.enabled and operator.local.enabled are false: no job worker"
                + " started");
      }
      return HttpHost.start(
          SERVICE, server, connections.healthChecks(), registry, Main::routing, opened.all());
    } catch (RuntimeException e) {
      throw opened.closeAfter(e);
    }
  }

  /** The runtimes the configuration enables. */
  private static Runtimes runtimes(
      Settings settings,
      Supplier<KubernetesClient> kubernetes,
      Connections connections,
      OperatorMetrics metrics,
      Opened opened) {
    List<GatewayRuntime> enabled = new ArrayList<>();
    if (settings.bool("operator.kubernetes.enabled")) {
      Optional<WorkspaceStore> workspaces = WorkspaceStore.from(settings);
      LOG.info(
          workspaces
              .map(
                  store ->
                      "kubernetes runtime: destroyed boxes' workspaces are archived to "
                          + store
                          + " and restored into their customer's next box; running boxes'"
                          + " are copied there every "
                          + settings.duration(WorkspaceStore.PREFIX + "snapshot-interval"))
              .orElse(
                  "kubernetes runtime: operator.workspaces.s3.endpoint or .bucket is empty:"
                      + " destroyed boxes' workspaces are NOT archived (they go with the"
                      + " namespace)"));
      KubernetesClient client = opened.add(kubernetes.get());
      KubernetesSettings cluster = KubernetesSettings.from(settings);
      KubernetesRuntime runtime =
          new KubernetesRuntime(client, cluster, Clock.systemUTC(), workspaces, metrics);
      enabled.add(runtime);
      if (workspaces.isPresent()) {
        opened.add(
            new WorkspaceSnapshots(
                    runtime,
                    client,
                    cluster,
                    workspaces.get(),
                    WorkspaceSnapshots.Schedule.from(settings),
                    Clock.systemUTC(),
                    metrics)
                .start(connections.redis()));
      }
    }
    if (settings.bool("operator.local.enabled")) {
      LocalSettings local = LocalSettings.from(settings);
      LocalRuntime processes =
          opened.add(new LocalRuntime(local.dataDir(), local.install(), local.ports()));
      enabled.add(new LocalGatewayRuntime(processes, local));
      List<UUID> adopted = processes.adopt();
      LOG.info(
          "local runtime: boxes in "
              + local.dataDir()
              + ", OpenClaw "
              + local.openclawVersion()
              + " and Node "
              + local.nodeVersion()
              + " from "
              + local.cacheDir()
              + " (installed on first use); "
              + adopted.size()
              + " running gateway(s) of an earlier operator adopted");
    }
    return Runtimes.of(enabled);
  }

  private static void startWorker(
      Settings settings,
      JobSettings jobs,
      Connections connections,
      Runtimes runtimes,
      OperatorMetrics metrics,
      Opened opened) {
    SecretBox secrets = new SecretBox(CryptoSettings.from(settings));
    KeyRotation.requireConfiguredKeys(connections.database(), secrets);
    TokenProxyClient proxy =
        new TokenProxyClient(
            URI.create(settings.string("operator.token-proxy.internal-url")),
            settings.string("operator.token-proxy.internal-token"));
    Duration readyTimeout = settings.duration("operator.ready-timeout");
    JobStore store = new JobStore(connections.database(), jobs.maxAttempts());
    JobStream stream = new JobStream(connections.redis(), QUEUE);
    BoxStore boxes = new BoxStore(connections.database(), secrets);
    Progress progress =
        new Progress(new EventBus(connections.redis()), connections.database(), Clock.systemUTC());
    BotCheck bots =
        new BotCheck(
            new TelegramBots(URI.create(settings.string("telegram.api-root"))),
            boxes,
            connections.database(),
            progress);
    BoxJobs handler =
        new BoxJobs(
            connections.database(),
            boxes,
            runtimes,
            proxy,
            progress,
            readyTimeout,
            Clock.systemUTC(),
            bots,
            metrics);
    opened.add(
        new Reconciler(boxes, runtimes, store, stream, metrics)
            .start(settings.duration("operator.reconcile-interval")));
    opened.add(
        new BotWatcher(boxes, connections.database(), bots, new JobQueue(store, stream), progress)
            .start(settings.duration("operator.bot-check-interval")));
    // A provision waits tens of seconds for its gateway: several workers, each reading one entry
    // at a time, keep one slow box from holding up everyone else's. Some of them take lifecycle
    // jobs only, so that no number of slow updates keeps a paying customer's provision (or a
    // cancelled one's destroy) waiting.
    String name = consumerName();
    int workers = settings.integer("operator.job-workers", 1, 256);
    // At least one worker takes updates.
    int lifecycleOnly =
        Math.min(settings.integer("operator.lifecycle-workers", 0, 255), workers - 1);
    int redisPool = settings.integer("redis.pool-size", 2, 1000);
    if (workers > redisPool / 2) {
      // Each waiting worker holds a Redis connection; progress events and the relay need the rest.
      throw new ConfigurationException(
          "operator.job-workers",
          workers + " workers need a redis.pool-size of at least " + 2 * workers);
    }
    for (int i = 1; i <= workers; i++) {
      Set<Lane> lanes = i <= lifecycleOnly ? EnumSet.of(Lane.LIFECYCLE) : EnumSet.allOf(Lane.class);
      opened.add(new JobWorker(store, stream, jobs, name + "-" + i, handler, 1, lanes).start());
    }
    // Counted from PostgreSQL now and then, so that a scrape never waits on (or fails with) it.
    opened.add(
        Periodic.start(
            "operator-metrics",
            METRICS_REFRESH,
            () -> metrics.refresh(connections.database(), store, boxes)));
    opened.add(new JobRelay(store, stream, jobs.relayInterval(), jobs.relayGrace()).start());
  }

  static void routing(HttpRouting.Builder routing) {
    // Health and metrics come from HttpHost; the service's own routes are added here.
  }

  private static String consumerName() {
    String host = System.getenv().getOrDefault("HOSTNAME", "operator");
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
