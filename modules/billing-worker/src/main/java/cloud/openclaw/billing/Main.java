package cloud.openclaw.billing;

import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import java.util.List;

/** The billing-worker service: turns Stripe events into subscriptions, jobs and emails. */
public final class Main {
  static final String SERVICE = "billing-worker";

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /**
   * Connects to PostgreSQL (migrated) and Redis, then serves on {@code billing.host:billing.port}.
   */
  public static RunningService start(Config config) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, "billing");
    PlatformSettings platform = PlatformSettings.from(settings);
    Connections connections = Connections.open(platform);
    try {
      return HttpHost.start(
          SERVICE,
          server,
          connections.healthChecks(),
          Metrics.registry(SERVICE),
          Main::routing,
          List.of(connections));
    } catch (RuntimeException e) {
      connections.close();
      throw e;
    }
  }

  static void routing(HttpRouting.Builder routing) {
    // Health and metrics come from HttpHost; the service's own routes are added here.
  }
}
