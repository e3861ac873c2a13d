package cloud.openclaw.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Map<String, String> VALID =
      Map.of(
          "db.url", "jdbc:postgresql://db.internal:5432/openclaw",
          "redis.url", "redis://cache.internal:6379");

  private static Settings load(Map<String, String> environment, Map<String, String> overrides) {
    return new Settings(ConfigLoader.load("configtest", environment, overrides));
  }

  @Test
  void environmentVariablesOverrideDeclaredKeysByTheirDerivedName() {
    Settings settings =
        load(
            Map.of(
                "OPENCLAW_DB_POOL_SIZE", "33",
                "OPENCLAW_JOBS_LEASE", "PT5M",
                "OPENCLAW_PLANS_STARTER_STRIPE_PRICE", "price_live_123",
                "OPENCLAW_CONFIGTEST_PORT", "9999"),
            VALID);
    assertThat(settings.integer("db.pool-size", 1, 200)).isEqualTo(33);
    assertThat(settings.duration("jobs.lease")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Plans.from(settings).find("starter").orElseThrow().stripePriceId())
        .isEqualTo("price_live_123");
    assertThat(ServerSettings.from(settings, "configtest"))
        .isEqualTo(new ServerSettings("127.0.0.1", 9999, "127.0.0.1", 9998, 2048));
  }

  @Test
  void overridesBeatTheEnvironmentAndTheServiceFileBeatsThePlatformFile() {
    Settings settings = load(Map.of("OPENCLAW_DB_POOL_SIZE", "33"), Map.of("db.pool-size", "7"));
    assertThat(settings.integer("db.pool-size", 1, 200)).isEqualTo(7);
    // configtest/application.yaml sets redis.prefix over platform.yaml's
    assertThat(settings.string("redis.prefix")).isEqualTo("configtest:");
  }

  @Test
  void aConfigFileNamedByTheEnvironmentSitsBetweenEnvironmentAndClasspath(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("prod.yaml");
    Files.writeString(file, "db:\n  pool-size: 50\n  user: \"openclaw\"\n");
    Settings settings =
        load(Map.of("OPENCLAW_CONFIG_FILE", file.toString(), "OPENCLAW_DB_USER", "admin"), VALID);
    assertThat(settings.integer("db.pool-size", 1, 200)).isEqualTo(50);
    assertThat(settings.string("db.user")).isEqualTo("admin");
  }

  @Test
  void anUnreadableConfigFileStopsTheStartNamingTheVariable() {
    assertThatThrownBy(
            () -> load(Map.of("OPENCLAW_CONFIG_FILE", "/nonexistent/openclaw.yaml"), VALID))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("OPENCLAW_CONFIG_FILE")
        .hasMessageContaining("/nonexistent/openclaw.yaml");
  }

  @Test
  void missingOrInvalidKeysAreNamedWithTheirEnvironmentVariable() {
    assertThatThrownBy(() -> PlatformSettings.from(load(Map.of(), Map.of())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("db.url")
        .hasMessageContaining("OPENCLAW_DB_URL")
        .hasMessageContaining("missing");
    assertThatThrownBy(
            () ->
                PlatformSettings.from(
                    load(Map.of(), Map.of("db.url", "mysql://x/y", "redis.url", "redis://r"))))
        .hasMessageContaining("db.url");
    assertThatThrownBy(
            () -> PlatformSettings.from(load(Map.of("OPENCLAW_DB_POOL_SIZE", "lots"), VALID)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("db.pool-size")
        .hasMessageContaining("'lots' is not a whole number");
    assertThatThrownBy(
            () -> PlatformSettings.from(load(Map.of("OPENCLAW_JOBS_LEASE", "sixty"), VALID)))
        .hasMessageContaining("jobs.lease")
        .hasMessageContaining("OPENCLAW_JOBS_LEASE");
    assertThatThrownBy(
            () ->
                PlatformSettings.from(
                    load(
                        Map.of("OPENCLAW_REDIS_URL", "localhost:6379"),
                        Map.of("db.url", VALID.get("db.url")))))
        .hasMessageContaining("redis.url");
  }

  @Test
  void plansAreReadAndCheckedAgainstTheKnownThinkingLevels() {
    Plans plans = PlatformSettings.from(load(Map.of(), VALID)).plans();
    Plan starter = plans.find("starter").orElseThrow();
    assertThat(starter.monthlyTokens()).isPositive();
    assertThat(starter.requestsPerSecond()).isEqualTo(10);
    assertThat(starter.allowsModel(starter.defaultModel())).isTrue();
    assertThat(plans.byStripePrice(starter.stripePriceId())).contains(starter);

    assertThatThrownBy(
            () ->
                Plans.from(
                    load(Map.of("OPENCLAW_PLANS_PRO_THINKING_LEVELS_0", "galaxy-brain"), VALID)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("plans.pro.thinking-levels")
        .hasMessageContaining("galaxy-brain");
  }

  @Test
  void cryptoKeysMustBe256BitsAndTheActiveOneListed() {
    String key = cloud.openclaw.platform.crypto.SecretBox.newKey();
    CryptoSettings crypto =
        CryptoSettings.from(
            load(Map.of(), Map.of("crypto.keys", "k1:" + key, "crypto.active-key", "k1")));
    assertThat(crypto.keys()).containsKey("k1");
    assertThatThrownBy(
            () ->
                CryptoSettings.from(
                    load(Map.of(), Map.of("crypto.keys", "k1:" + key, "crypto.active-key", "k2"))))
        .hasMessageContaining("crypto.active-key");
    assertThatThrownBy(
            () ->
                CryptoSettings.from(
                    load(
                        Map.of(), Map.of("crypto.keys", "k1:c2hvcnQ=", "crypto.active-key", "k1"))))
        .hasMessageContaining("crypto.keys")
        .hasMessageContaining("32 bytes");
  }

  @Test
  void environmentNamesAreDerivedFromKeys() {
    assertThat(ConfigLoader.environmentName("db.pool-size")).isEqualTo("OPENCLAW_DB_POOL_SIZE");
    assertThat(ConfigLoader.environmentName("proxy.port")).isEqualTo("OPENCLAW_PROXY_PORT");
    Config config = ConfigLoader.load("configtest", Map.of(), Map.of());
    assertThat(config.get("redis.pool-size").exists()).isTrue();
  }
}
