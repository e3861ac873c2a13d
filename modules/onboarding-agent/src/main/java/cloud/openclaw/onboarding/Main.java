package cloud.openclaw.onboarding;

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
 * The onboarding-agent service: the conversation that replaces the sign-up form (web and Telegram).
 */
public final class Main {
  static final String SERVICE = "onboarding-agent";

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /**
   * Connects to PostgreSQL (migrated) and Redis, then serves on {@code
   * onboarding.host:onboarding.port}.
   */
  public static RunningService start(Config config) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, "onboarding");
    Connections connections = Connections.open(PlatformSettings.from(settings));
    return HttpHost.serve(SERVICE, server, connections, Main::routing);
  }

  static void routing(HttpRouting.Builder routing) {
    // Health and metrics come from HttpHost; the service's own routes are added here.
  }
}
