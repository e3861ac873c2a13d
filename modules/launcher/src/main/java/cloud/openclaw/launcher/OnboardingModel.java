package cloud.openclaw.launcher;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import io.helidon.config.Config;
import java.net.URI;
import java.util.Map;

/**
 * Dev mode's onboarding agent talks to the model through this run's token proxy, metered and capped
 * like a customer, with a token of the platform's own account {@value #ACCOUNT} (on {@code
 * proxy.platform-plan}), issued at every start. A deployment issues one once with the proxy's
 * internal API instead (docs/token-proxy.md, "The platform's own accounts").
 */
final class OnboardingModel {
  static final String ACCOUNT = "onboarding";

  private OnboardingModel() {}

  /**
   * {@code onboarding.model.*} for the running token proxy, unless the environment configures the
   * model itself.
   *
   * @param proxyUrl where the token proxy's public API answers
   * @param proxy the token proxy's configuration (internal API, platform plan)
   */
  static Map<String, String> wiring(
      Map<String, String> environment, String proxyUrl, Config proxy) {
    if (environment.containsKey(ConfigLoader.environmentName("onboarding.model.api-key"))) {
      return Map.of();
    }
    Settings settings = new Settings(proxy);
    TokenProxyClient internal =
        new TokenProxyClient(
            URI.create(
                "http://"
                    + settings.string("proxy.internal.host")
                    + ":"
                    + settings.string("proxy.internal.port")),
            settings.string("proxy.internal.token"));
    return Map.of(
        "onboarding.model.base-url",
        proxyUrl + "/v1",
        "onboarding.model.api-key",
        internal.issuePlatformToken(ACCOUNT).token(),
        "onboarding.model.name",
        settings.list("proxy.platform-plan.models").getFirst());
  }
}
