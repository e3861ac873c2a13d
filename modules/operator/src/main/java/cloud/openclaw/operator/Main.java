package cloud.openclaw.operator;

import cloud.openclaw.operator.jobs.BoxJobs;
import cloud.openclaw.operator.jobs.Progress;
import cloud.openclaw.operator.kubernetes.KubernetesRuntime;
import cloud.openclaw.operator.kubernetes.KubernetesSettings;
import cloud.openclaw.operator.reconcile.Reconciler;
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
import cloud.openclaw.platform.jobs.JobRelay;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobWorker;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The operator service: consumes the job queue and provisions boxes on Kubernetes. With {@code
 * operator.kubernetes.enabled} false (the dev default until the local runtime exists) it only
 * serves health. With it, a {@link Reconciler} repairs drift between PostgreSQL and the cluster on
 * start and every {@code operator.reconcile-interval}.
 */
public final class Main {
  static final String SERVICE = "operator";

  /** The job queue the API enqueues onto and the operator consumes. */
  public static final String QUEUE = "operator";

  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /**
   * Connects to PostgreSQL (migrated) and Redis, starts the job worker and relay when Kubernetes is
   * enabled, then serves on {@code operator.host:operator.port}.
   */
  public static RunningService start(Config config) {
    return start(config, () -> new KubernetesClientBuilder().build());
  }

  /** As {@link #start(Config)}, with the Kubernetes client from {@code kubernetes} (tests). */
  public static RunningService start(Config config, Supplier<KubernetesClient> kubernetes) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, "operator");
    PlatformSettings platform = PlatformSettings.from(settings);
    boolean enabled = settings.bool("operator.kubernetes.enabled");
    Opened opened = new Opened();
    try {
      Connections connections = opened.add(Connections.open(platform));
      if (enabled) {
        startWorker(settings, platform.jobs(), connections, kubernetes, opened);
      } else {
        LOG.info("operator.kubernetes.enabled is false: no job worker started");
      }
      return HttpHost.start(
          SERVICE,
          server,
          connections.healthChecks(),
          Metrics.registry(SERVICE),
          Main::routing,
          opened.all());
    } catch (RuntimeException e) {
      throw opened.closeAfter(e);
    }
  }

  private static void startWorker(
      Settings settings,
      JobSettings jobs,
      Connections connections,
      Supplier<KubernetesClient> kubernetes,
      Opened opened) {
    KubernetesSettings kubernetesSettings = KubernetesSettings.from(settings);
    SecretBox secrets = new SecretBox(CryptoSettings.from(settings));
    TokenProxyClient proxy =
        new TokenProxyClient(
            URI.create(settings.string("operator.token-proxy.internal-url")),
            settings.string("operator.token-proxy.internal-token"));
    Duration readyTimeout = settings.duration("operator.ready-timeout");
    KubernetesClient client = opened.add(kubernetes.get());
    JobStore store = new JobStore(connections.database(), jobs.maxAttempts());
    JobStream stream = new JobStream(connections.redis(), QUEUE);
    BoxStore boxes = new BoxStore(connections.database(), secrets);
    BoxJobs handler =
        new BoxJobs(
            connections.database(),
            boxes,
            client,
            kubernetesSettings,
            proxy,
            new Progress(new EventBus(connections.redis()), Clock.systemUTC()),
            readyTimeout,
            Clock.systemUTC());
    opened.add(new JobWorker(store, stream, jobs, consumerName(), handler).start());
    opened.add(new JobRelay(store, stream, jobs.relayInterval(), jobs.relayGrace()).start());
    opened.add(
        new Reconciler(
                boxes,
                new KubernetesRuntime(client, kubernetesSettings),
                kubernetesSettings.namespacePrefix(),
                store,
                stream)
            .start(settings.duration("operator.reconcile-interval")));
  }

  static void routing(HttpRouting.Builder routing) {
    // Health and metrics come from HttpHost; the service's own routes are added here.
  }

  private static String consumerName() {
    String host = System.getenv().getOrDefault("HOSTNAME", "operator");
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
