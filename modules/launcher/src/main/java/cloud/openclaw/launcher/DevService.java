package cloud.openclaw.launcher;

import cloud.openclaw.platform.http.RunningService;
import io.helidon.config.Config;
import java.util.List;
import java.util.function.Function;

/**
 * A service the launcher runs: its name (for its configuration, {@code <name>/application.yaml}),
 * the key of its {@code host}/{@code port} settings, and how it starts.
 */
record DevService(String name, String key, Function<Config, RunningService> start) {

  /** In start order: the sandbox (stand-ins the others call) first; stopped in reverse. */
  static final List<DevService> ALL =
      List.of(
          new DevService("sandbox", "sandbox", cloud.openclaw.sandbox.Main::start),
          new DevService("api", "api", cloud.openclaw.api.Main::start),
          new DevService("token-proxy", "proxy", cloud.openclaw.proxy.Main::start),
          new DevService("operator", "operator", cloud.openclaw.operator.Main::start),
          new DevService("billing-worker", "billing", cloud.openclaw.billing.Main::start),
          new DevService("onboarding-agent", "onboarding", cloud.openclaw.onboarding.Main::start));
}
