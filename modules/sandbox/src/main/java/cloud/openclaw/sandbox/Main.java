package cloud.openclaw.sandbox;

import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import io.helidon.config.Config;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import java.util.List;

/**
 * The sandbox: stand-ins for the outside services the platform talks to, so that dev mode and tests
 * run with no account anywhere. None exists yet; the Telegram Bot API, Stripe and Kimi come later.
 */
public final class Main {
  static final String SERVICE = "sandbox";

  /** The stand-ins served, by name ("telegram", "stripe", "kimi" once they exist). */
  static final List<String> STAND_INS = List.of();

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /** Serves on {@code sandbox.host:sandbox.port}; needs neither PostgreSQL nor Redis. */
  public static RunningService start(Config config) {
    ServerSettings server = ServerSettings.from(new Settings(config), SERVICE);
    return HttpHost.start(
        SERVICE, server, List.of(), Metrics.registry(SERVICE), Main::routing, List.of());
  }

  static void routing(HttpRouting.Builder routing) {
    routing.get(
        "/",
        (request, response) -> Json.send(response, Status.OK_200, new Index(SERVICE, STAND_INS)));
  }

  /** What GET / answers: which stand-ins this sandbox serves. */
  record Index(String service, List<String> standIns) {}
}
