package cloud.openclaw.launcher;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import io.helidon.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Dev mode's onboarding agent talks to the model through this run's token proxy, metered and capped
 * like a customer, with a token of the platform's own account {@value #ACCOUNT} (on {@code
 * proxy.platform-plan}). The token is issued once and kept in the dev home ({@value #FILE}, mode
 * 600), so restarts do not pile up tokens; one the proxy no longer admits (a new database) is
 * replaced. A deployment issues one with the proxy's internal API instead (docs/deploy.md).
 *
 * <p>Only when there is a model to talk to: the proxy's upstream configured (a real Kimi), or
 * {@value #SWITCH}=true. The sandbox's Kimi only echoes and never calls the conversation's tools,
 * so with it the onboarding agent runs its scripted flow, which a person can go through.
 */
final class OnboardingModel {
  static final String ACCOUNT = "onboarding";
  static final String FILE = "onboarding-model.token";

  /** The variable that gives the onboarding agent the model even when it is the sandbox's. */
  static final String SWITCH = "OPENCLAW_DEV_ONBOARDING_MODEL";

  private OnboardingModel() {}

  /**
   * {@code onboarding.model.*} for the running token proxy, unless the environment configures the
   * model itself.
   *
   * @param proxyUrl where the token proxy's public API answers
   * @param proxy the token proxy's configuration (internal API, platform plan)
   * @param home the dev home, where the token is kept
   */
  static Map<String, String> wiring(
      Map<String, String> environment, String proxyUrl, Config proxy, Path home) {
    if (environment.containsKey(ConfigLoader.environmentName("onboarding.model.api-key"))) {
      return Map.of();
    }
    boolean realModel =
        environment.containsKey(ConfigLoader.environmentName("proxy.upstream.api-key"));
    if (!realModel && !"true".equalsIgnoreCase(environment.get(SWITCH))) {
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
    Path file = home.resolve(FILE);
    String token = DevInfrastructure.kept(file, () -> internal.issuePlatformToken(ACCOUNT).token());
    if (!admitted(proxyUrl, token)) {
      try {
        Files.delete(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot replace " + file, e);
      }
      token = DevInfrastructure.kept(file, () -> internal.issuePlatformToken(ACCOUNT).token());
    }
    return Map.of(
        "onboarding.model.base-url",
        proxyUrl + "/v1",
        "onboarding.model.api-key",
        token,
        "onboarding.model.name",
        settings.list("proxy.platform-plan.models").getFirst());
  }

  // The proxy lists the account's models for a token it admits.
  private static boolean admitted(String proxyUrl, String token) {
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      return http.send(
                  HttpRequest.newBuilder(URI.create(proxyUrl + "/v1/models"))
                      .timeout(Duration.ofSeconds(5))
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      throw new UncheckedIOException("the token proxy did not answer at " + proxyUrl, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevLauncher.Stopped();
    }
  }
}
