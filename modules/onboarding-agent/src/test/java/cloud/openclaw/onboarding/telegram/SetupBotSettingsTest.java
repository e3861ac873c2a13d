package cloud.openclaw.onboarding.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SetupBotSettingsTest {
  private static SetupBotSettings load(Map<String, String> overrides) {
    return SetupBotSettings.from(
        new Settings(ConfigLoader.load("onboarding-agent", Map.of(), overrides)));
  }

  @Test
  void withoutATokenTheTransportIsOffAndTelegramIsTheDefault() {
    SetupBotSettings settings = load(Map.of());
    assertThat(settings.enabled()).isFalse();
    assertThat(settings.apiRoot()).isEqualTo(URI.create("https://api.telegram.org"));
    assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void theEnvironmentSetsTheTokenAndTheSandboxRootAndToStringHidesTheToken() {
    SetupBotSettings settings =
        SetupBotSettings.from(
            new Settings(
                ConfigLoader.load(
                    "onboarding-agent",
                    Map.of(
                        "OPENCLAW_ONBOARDING_TELEGRAM_TOKEN", "123:secret-part",
                        "OPENCLAW_TELEGRAM_API_ROOT", "http://127.0.0.1:8090/telegram"),
                    Map.of())));
    assertThat(settings.enabled()).isTrue();
    assertThat(settings.token()).isEqualTo("123:secret-part");
    assertThat(settings.apiRoot()).isEqualTo(URI.create("http://127.0.0.1:8090/telegram"));
    assertThat(settings.toString()).doesNotContain("secret-part");
  }

  @Test
  void aBadIdleTimeoutNamesTheKey() {
    assertThatThrownBy(() -> load(Map.of("onboarding.telegram.idle-timeout", "soon")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("onboarding.telegram.idle-timeout");
  }
}
