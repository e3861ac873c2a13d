package cloud.openclaw.proxy;

import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.http.Opened;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.auth.Authenticator;
import cloud.openclaw.proxy.internal.InternalService;
import cloud.openclaw.proxy.limits.Limiter;
import cloud.openclaw.proxy.limits.UsageWarnings;
import cloud.openclaw.proxy.metering.RefusalWriter;
import cloud.openclaw.proxy.metering.UsageBuffer;
import cloud.openclaw.proxy.metering.UsageWriter;
import cloud.openclaw.proxy.upstream.Upstream;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The token proxy: the OpenAI-compatible gateway from the boxes to Kimi. Public routes on {@code
 * proxy.port}; the internal API (tokens, periods), metrics and detailed health on {@code
 * proxy.internal.port}.
 */
public final class Main {
  static final String SERVICE = "token-proxy";

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  public static RunningService start(Config config) {
    return start(config, Clock.systemUTC());
  }

  /**
   * Like {@link #start(Config)}, telling the time by {@code clock} where billing periods are
   * concerned (tests move it, with the Stripe stand-in's).
   */
  public static RunningService start(Config config, Clock clock) {
    Settings settings = new Settings(config);
    ProxySettings proxy = ProxySettings.from(settings);
    PlatformSettings platform = PlatformSettings.from(settings);
    Opened opened = new Opened();
    try {
      Connections connections = opened.add(Connections.open(platform));
      PrometheusMeterRegistry registry = Metrics.registry(SERVICE);
      EventBus bus = new EventBus(connections.redis());
      UsageStore usage = new UsageStore(connections.database());
      Authenticator authenticator =
          opened.add(
              new Authenticator(
                  connections.database(),
                  connections.redis(),
                  bus,
                  platform.plans(),
                  proxy.platformPlan(),
                  proxy.authCacheTtl(),
                  clock));
      UsageBuffer buffer = new UsageBuffer(connections.redis());
      UsageWarnings warnings = new UsageWarnings(connections.redis(), bus);
      // The 100% notice goes out when the allowance is reached, or at the first refusal when a
      // lower allowance used it up.
      Limiter limiter =
          new Limiter(
              connections.redis(),
              usage,
              buffer,
              proxy.usageWarningPercent(),
              clock,
              (customer, period) -> warnings.crossed(customer, period, 100));
      Upstream upstream =
          new Upstream(
              proxy.upstreamBaseUrl(),
              proxy.upstreamApiKey(),
              proxy.connectTimeout(),
              proxy.upstreamTimeout());
      opened.add(
          new UsageWriter(
                  connections.redis(),
                  usage,
                  consumerName(),
                  500,
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(30),
                  Duration.ofMillis(200),
                  Duration.ofSeconds(10),
                  registry)
              .lingering(proxy.usageWriterLinger())
              .start());
      opened.add(new RefusalWriter(limiter, usage, proxy.refusalFlushInterval()).start());
      CompletionsService completions =
          new CompletionsService(
              authenticator,
              limiter,
              upstream,
              warnings,
              new ProxyMetrics(registry, proxy.models().keySet()),
              proxy,
              clock);
      InternalService internal =
          new InternalService(
              connections.database(),
              authenticator,
              limiter,
              proxy.serviceToken(),
              proxy.platformPlan(),
              clock);
      return HttpHost.start(
          SERVICE,
          proxy.server(),
          // Ready while PostgreSQL is down: the proxy serves from its caches meanwhile.
          connections.healthChecksServingWithoutDatabase(),
          registry,
          routing -> routing(routing, completions),
          routing -> routing.register("/internal", internal),
          OpenAiErrors.SHAPE,
          List.of(),
          opened.all());
    } catch (RuntimeException e) {
      throw opened.closeAfter(e);
    }
  }

  static void routing(HttpRouting.Builder routing, CompletionsService completions) {
    OpenAiErrors.register(routing);
    routing.register("/v1", completions);
    routing.any(
        (request, response) -> {
          throw OpenAiError.notFound(
              "Unknown request URL: "
                  + request.prologue().method().text()
                  + " "
                  + request.path().absolute().path());
        });
  }

  // Unique per process: a replica's pending usage entries are its own until their lease runs out.
  private static String consumerName() {
    String host = System.getenv().getOrDefault("HOSTNAME", "proxy");
    return host + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  }
}
