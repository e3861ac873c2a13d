package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A service refuses to start on bad configuration, naming the key and its variable, before it
 * connects to anything. (Every service's health, metrics and 404 are checked in the launcher's IT.)
 */
class MainTest {
  private static final Map<String, String> VALID =
      Map.of(
          "db.url", "jdbc:postgresql://127.0.0.1:1/never-reached",
          "redis.url", "redis://127.0.0.1:1");

  private static Map<String, String> with(String key, String value) {
    Map<String, String> overrides = new HashMap<>(VALID);
    overrides.put(key, value);
    return overrides;
  }

  @Test
  void emptyDatabaseUrlStopsStartNamingTheKeyAndVariable() {
    assertThatThrownBy(() -> Main.start(ConfigLoader.load("api", Map.of(), with("db.url", ""))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("db.url")
        .hasMessageContaining("OPENCLAW_DB_URL");
  }

  @Test
  void invalidPoolSizeFromTheEnvironmentStopsStartNamingTheKey() {
    Map<String, String> environment = Map.of("OPENCLAW_DB_POOL_SIZE", "abc");

    assertThatThrownBy(() -> Main.start(ConfigLoader.load("api", environment, VALID)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("db.pool-size")
        .hasMessageContaining("OPENCLAW_DB_POOL_SIZE")
        .hasMessageContaining("abc");
  }

  @Test
  void invalidPortStopsStartNamingTheKey() {
    assertThatThrownBy(() -> Main.start(ConfigLoader.load("api", Map.of(), with("api.port", "x"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("api.port")
        .hasMessageContaining("OPENCLAW_API_PORT");
  }
}
