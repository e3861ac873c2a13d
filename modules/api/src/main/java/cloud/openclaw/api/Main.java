package cloud.openclaw.api;

import cloud.openclaw.api.stripe.StripeRoutes;
import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;

/**
 * The api service: sign-in, the customer and admin API, the Stripe webhook, the onboarding relay
 * and the web UI.
 */
public final class Main {
  static final String SERVICE = "api";

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /** Connects to PostgreSQL (migrated) and Redis, then serves on {@code api.host:api.port}. */
  public static RunningService start(Config config) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, "api");
    PlatformSettings platform = PlatformSettings.from(settings);
    StripeRoutes.Configured stripe = StripeRoutes.configure(settings);
    Connections connections = Connections.open(platform);
    return HttpHost.serve(
        SERVICE, server, connections, routing -> routing(routing, stripe.open(connections)));
  }

  static void routing(HttpRouting.Builder routing, StripeRoutes stripe) {
    // Health and metrics come from HttpHost; the service's own routes are added here.
    stripe.register(routing);
  }
}
