package cloud.openclaw.sandbox;

import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import cloud.openclaw.sandbox.kimi.KimiSettings;
import cloud.openclaw.sandbox.kimi.KimiStandIn;
import io.helidon.config.Config;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import java.util.List;

/**
 * The sandbox: stand-ins for the outside services the platform talks to, so that dev mode and tests
 * run with no account anywhere. Production code reaches them only through a different base URL:
 * Kimi at {@code /kimi/v1} ({@link KimiStandIn}); the Telegram Bot API and Stripe come later.
 */
public final class Main {
  static final String SERVICE = "sandbox";

  /** The stand-ins served, by name ("telegram", "stripe", "kimi" once they exist). */
  static final List<String> STAND_INS = List.of("kimi");

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /** Serves on {@code sandbox.host:sandbox.port}; needs neither PostgreSQL nor Redis. */
  public static RunningService start(Config config) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, SERVICE);
    KimiStandIn kimi = new KimiStandIn(KimiSettings.from(settings));
    return HttpHost.start(
        SERVICE,
        server,
        List.of(),
        Metrics.registry(SERVICE),
        routing -> routing(routing, kimi),
        List.of());
  }

  static void routing(HttpRouting.Builder routing, KimiStandIn kimi) {
    routing.get(
        "/",
        (request, response) -> Json.send(response, Status.OK_200, new Index(SERVICE, STAND_INS)));
    routing.register(KimiStandIn.MOUNT, kimi);
  }

  /** What GET / answers: which stand-ins this sandbox serves. */
  record Index(String service, List<String> standIns) {}
}
