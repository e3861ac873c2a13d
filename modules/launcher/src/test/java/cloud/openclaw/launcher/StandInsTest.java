package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.ConfigLoader;
import io.helidon.config.Config;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandInsTest {
  private static final String SANDBOX = "http://127.0.0.1:8090";
  private static final String PROXY = "http://127.0.0.1:8081";
  private static final Config PROXY_CONFIG =
      ConfigLoader.load(
          "token-proxy",
          Map.of(),
          Map.of("proxy.internal.token", "0123456789abcdef0123", "proxy.internal.port", "8091"));

  @Test
  void theGatewaysPollTheSandboxTelegramUnlessATelegramIsConfigured() {
    Map<String, String> sandbox =
        StandIns.tokenProxyClients(Map.of(), SANDBOX, PROXY, PROXY_CONFIG, Path.of("/dev-home"));
    assertThat(sandbox)
        .containsEntry("operator.local.telegram-api-root", SANDBOX + "/telegram")
        .containsEntry("operator.local.token-proxy-base-url", PROXY + "/v1")
        .containsEntry("operator.token-proxy.internal-url", "http://127.0.0.1:8091")
        // a few workers that stop within a second of Ctrl-C
        .containsEntry("operator.job-workers", "4")
        .containsEntry("jobs.poll-timeout", "PT0.25S");

    // the api checks bots with this Telegram: the boxes must poll the same one
    Map<String, String> real =
        StandIns.tokenProxyClients(
            Map.of("OPENCLAW_TELEGRAM_API_ROOT", "https://api.telegram.org"),
            SANDBOX,
            PROXY,
            PROXY_CONFIG,
            Path.of("/dev-home"));
    assertThat(real).containsEntry("operator.local.telegram-api-root", "https://api.telegram.org");

    Map<String, String> own =
        StandIns.tokenProxyClients(
            Map.of("OPENCLAW_OPERATOR_LOCAL_TELEGRAM_API_ROOT", "http://elsewhere/telegram"),
            SANDBOX,
            PROXY,
            PROXY_CONFIG,
            Path.of("/dev-home"));
    assertThat(own).doesNotContainKey("operator.local.telegram-api-root");
  }
}
