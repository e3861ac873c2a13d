package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.api.auth.SigningKeys;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The api's keys: sessions need a signing key (but dev mode makes one up), links a public URL. */
class ApiSettingsTest {
  private static final String KEY = "k1:" + SigningKeys.encode(SigningKeys.generate());

  private static ApiSettings load(Map<String, String> environment, Map<String, String> overrides) {
    return ApiSettings.from(new Settings(ConfigLoader.load("api", environment, overrides)));
  }

  private static Map<String, String> withKey(String... pairs) {
    Map<String, String> map = new HashMap<>();
    map.put("api.auth.jwt.keys", KEY);
    map.put("api.auth.jwt.active-key", "k1");
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  @Test
  void withoutAKeyStartIsRefusedNamingTheKeyAndVariable() {
    assertThatThrownBy(() -> load(Map.of(), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("api.auth.jwt.keys")
        .hasMessageContaining("OPENCLAW_API_AUTH_JWT_KEYS");
  }

  @Test
  void devModeSignsWithAnEphemeralKey() {
    ApiSettings settings = load(Map.of("OPENCLAW_API_DEV_MODE", "true"), Map.of());
    assertThat(settings.signingKeys()).isNotNull();
  }

  @Test
  void theActiveKeyMustBeListed() {
    assertThatThrownBy(() -> load(Map.of(), withKey("api.auth.jwt.active-key", "k2")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("api.auth.jwt.active-key");
  }

  @Test
  void aKeyThatIsNoRsaPrivateKeyIsRefused() {
    assertThatThrownBy(() -> load(Map.of(), withKey("api.auth.jwt.keys", "k1:bm90IGEga2V5")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("k1");
  }

  @Test
  void aShortInternalTokenIsRefused() {
    assertThatThrownBy(() -> load(Map.of(), withKey("api.internal-token", "short")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("api.internal-token");
  }

  @Test
  void adminsComeFromTheEnvironmentCommaSeparatedInAnyCase() {
    ApiSettings settings =
        load(Map.of("OPENCLAW_API_AUTH_ADMINS", "Ops@Example.com, boss@example.com"), withKey());
    assertThat(settings.isAdmin("ops@example.com")).isTrue();
    assertThat(settings.isAdmin("BOSS@example.com")).isTrue();
    assertThat(settings.isAdmin("someone@example.com")).isFalse();
  }

  @Test
  void theDefaultsAreShortSessionsAndFifteenMinuteLinks() {
    ApiSettings settings = load(Map.of(), withKey());
    assertThat(settings.accessTtl()).hasMinutes(15);
    assertThat(settings.linkTtl()).hasMinutes(15);
    assertThat(settings.refreshTtl()).hasDays(30);
  }

  @Test
  void planPricesAreDisplayTextAndAnEmptyOneIsNoPrice() {
    ApiSettings settings =
        load(Map.of("OPENCLAW_API_PLAN_PRICES_STARTER", " 19 EUR a month "), withKey());
    assertThat(settings.planPrices()).containsExactly(Map.entry("starter", "19 EUR a month"));
    assertThat(load(Map.of(), withKey()).planPrices()).isEmpty();
  }
}
