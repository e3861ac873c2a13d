package cloud.openclaw.launcher;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Settings;
import io.helidon.config.Config;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Dev mode points the services at the sandbox's stand-ins for whatever outside service has no
 * credentials configured, and makes up the secrets services share among themselves.
 */
final class StandIns {
  private StandIns() {}

  /**
   * @param environment the {@code OPENCLAW_*} variables: what they set is left alone
   * @param sandboxUrl where the sandbox answers
   * @param sandbox the sandbox's configuration (the stand-ins' keys)
   */
  static Map<String, String> wiring(
      Map<String, String> environment, String sandboxUrl, Config sandbox) {
    Map<String, String> wiring = new HashMap<>();
    if (!environment.containsKey(ConfigLoader.environmentName("proxy.upstream.api-key"))) {
      wiring.put("proxy.upstream.base-url", sandboxUrl + "/kimi/v1");
      wiring.put("proxy.upstream.api-key", new Settings(sandbox).string("sandbox.kimi.api-key"));
    }
    if (!environment.containsKey(ConfigLoader.environmentName("proxy.internal.token"))) {
      byte[] token = new byte[24];
      new SecureRandom().nextBytes(token);
      wiring.put("proxy.internal.token", HexFormat.of().formatHex(token));
    }
    // Without a configured JWT key the api signs sessions with an ephemeral one (and logs it).
    wiring.put("api.dev-mode", "true");
    return wiring;
  }
}
