package cloud.openclaw.launcher;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.telegram.TelegramBots;
import io.helidon.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

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
      wiring.put("proxy.internal.token", newSecret());
    }
    // The api's web chat relay and the onboarding agent share one bearer token.
    String onboardingToken =
        environment.get(ConfigLoader.environmentName("onboarding.internal-token"));
    if (onboardingToken == null) {
      onboardingToken = newSecret();
      wiring.put("onboarding.internal-token", onboardingToken);
    }
    if (!environment.containsKey(ConfigLoader.environmentName("api.onboarding.internal-token"))) {
      wiring.put("api.onboarding.internal-token", onboardingToken);
    }
    if (!environment.containsKey(ConfigLoader.environmentName("telegram.api-root"))) {
      wiring.put("telegram.api-root", sandboxUrl + "/telegram");
    }
    // Without a configured JWT key the api signs sessions with an ephemeral one (and logs it).
    wiring.put("api.dev-mode", "true");
    // One machine, no cluster: new agents run as local processes.
    wiring.put("api.signup.runtime", "local");
    billing(environment, sandboxUrl, new Settings(sandbox), wiring);
    return wiring;
  }

  /** The setup bot: people sign up by chatting with it (the onboarding agent's Telegram side). */
  record SetupBot(long id, String username, String token) {}

  static final String SETUP_BOT_USERNAME = "openclaw_setup_bot";
  static final String SETUP_BOT_FILE = "setup-bot.token";

  /**
   * The setup bot on the sandbox's Telegram, unless one is configured: made once (its token kept in
   * the dev home, mode 600, so a kept sandbox state knows it again) and given to the onboarding
   * agent, which runs it, and to the api, which rotates its managed bots' tokens with it.
   */
  static Optional<SetupBot> setupBot(
      Map<String, String> environment, String sandboxUrl, Path home, Map<String, String> wiring) {
    if (environment.containsKey(ConfigLoader.environmentName("onboarding.telegram.token"))) {
      return Optional.empty();
    }
    String token =
        DevInfrastructure.kept(
            home.resolve(SETUP_BOT_FILE),
            () -> (6_900_000_000L + new SecureRandom().nextInt(99_999_999)) + ":" + newSecret());
    TelegramBots.Bot bot;
    try {
      bot = new TelegramBots(URI.create(sandboxUrl + "/telegram")).identify(token, "token");
    } catch (InvalidInputException unknown) { // a fresh sandbox: the bot is made now
      createBot(
          sandboxUrl,
          Map.of("username", SETUP_BOT_USERNAME, "first_name", "OpenClaw Cloud", "token", token));
      bot = new TelegramBots(URI.create(sandboxUrl + "/telegram")).identify(token, "token");
    }
    wiring.put("onboarding.telegram.token", token);
    if (!environment.containsKey(ConfigLoader.environmentName("api.onboarding.setup-bot-token"))) {
      wiring.put("api.onboarding.setup-bot-token", token);
    }
    // The landing page's "Start in Telegram": the sandbox's chat page with the setup bot.
    if (!environment.containsKey(ConfigLoader.environmentName("api.web.setup-bot-url"))) {
      wiring.put("api.web.setup-bot-url", sandboxUrl + "/telegram/?bot=" + bot.id());
    }
    return Optional.of(new SetupBot(bot.id(), bot.username(), token));
  }

  private static void createBot(String sandboxUrl, Map<String, String> bot) {
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpResponse<String> created =
          http.send(
              HttpRequest.newBuilder(URI.create(sandboxUrl + "/telegram/_sandbox/bots"))
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(Json.write(bot)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (created.statusCode() != 201) {
        throw new IllegalStateException(
            "the sandbox did not make the setup bot ("
                + created.statusCode()
                + " "
                + created.body()
                + "): delete .openclaw-dev/"
                + SETUP_BOT_FILE
                + " and .openclaw-dev/sandbox to start afresh");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the sandbox did not make the setup bot", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making the setup bot", e);
    }
  }

  private static String newSecret() {
    byte[] token = new byte[24];
    new SecureRandom().nextBytes(token);
    return HexFormat.of().formatHex(token);
  }

  /** Stripe and SMTP from the sandbox unless configured. */
  private static void billing(
      Map<String, String> environment,
      String sandboxUrl,
      Settings sandbox,
      Map<String, String> wiring) {
    if (!environment.containsKey(ConfigLoader.environmentName("stripe.secret-key"))) {
      wiring.put("stripe.secret-key", "sk_test_sandbox");
      wiring.put("stripe.api-base", sandboxUrl + "/stripe");
      wiring.put("api.stripe.webhook-secret", sandbox.string("sandbox.stripe.webhook-secret"));
    }
    if (!environment.containsKey(ConfigLoader.environmentName("billing.mail.host"))) {
      wiring.put("billing.mail.host", sandbox.string("sandbox.smtp.host"));
      wiring.put("billing.mail.port", sandbox.string("sandbox.smtp.port"));
    }
  }

  /**
   * Everything that reaches the token proxy, once it runs: the operator runs boxes as local
   * processes (the real OpenClaw gateway) against the sandbox's Telegram and this token proxy, with
   * the boxes' directories in the dev home; the operator and the billing worker use its internal
   * API.
   *
   * @param proxyUrl where the token proxy answers
   * @param proxy the token proxy's configuration (its internal port and token)
   */
  static Map<String, String> tokenProxyClients(
      Map<String, String> environment,
      String sandboxUrl,
      String proxyUrl,
      Config proxy,
      Path home) {
    Settings proxySettings = new Settings(proxy);
    Map<String, String> wanted = new HashMap<>();
    wanted.put("operator.local.enabled", "true");
    wanted.put("operator.local.token-proxy-base-url", proxyUrl + "/v1");
    // One machine runs a few gateways (about 1 GB each): four job workers are plenty, and they
    // stop within a second of Ctrl-C (each finishes its blocking read of the queue first).
    wanted.put("operator.job-workers", "4");
    wanted.put("jobs.poll-timeout", "PT0.25S");
    // The gateways poll the Telegram the api checks bots with: the sandbox, unless one is
    // configured.
    String telegram = environment.get(ConfigLoader.environmentName("telegram.api-root"));
    wanted.put(
        "operator.local.telegram-api-root",
        telegram == null || telegram.isBlank() ? sandboxUrl + "/telegram" : telegram);
    // The runtime keeps the boxes in <data-dir>/boxes: .openclaw-dev/boxes.
    wanted.put("operator.local.data-dir", home.toString());
    wanted.put(
        "operator.token-proxy.internal-url",
        "http://127.0.0.1:" + proxySettings.string("proxy.internal.port"));
    wanted.put("operator.token-proxy.internal-token", proxySettings.string("proxy.internal.token"));
    wanted.put("billing.token-proxy.internal-url", wanted.get("operator.token-proxy.internal-url"));
    wanted.put("billing.token-proxy.internal-token", proxySettings.string("proxy.internal.token"));
    Map<String, String> wiring = new HashMap<>();
    wanted.forEach(
        (key, value) -> {
          if (!environment.containsKey(ConfigLoader.environmentName(key))) {
            wiring.put(key, value);
          }
        });
    return wiring;
  }
}
