package cloud.openclaw.platform.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a service's configuration from, highest first: explicit overrides (dev launcher, tests),
 * {@code OPENCLAW_*} environment variables, the YAML file named by {@code OPENCLAW_CONFIG_FILE},
 * the service's {@code <service>/application.yaml} and the shared {@code platform.yaml} on the
 * classpath.
 *
 * <p>Every key is overridable by one environment variable: {@code OPENCLAW_} followed by the key in
 * upper case with dots and dashes turned into underscores ({@code db.pool-size} -> {@code
 * OPENCLAW_DB_POOL_SIZE}). Only keys that the YAML files declare are mapped, so the mapping is
 * never ambiguous and docs/configuration.md can list them all.
 */
public final class ConfigLoader {
  public static final String CONFIG_FILE_VARIABLE = "OPENCLAW_CONFIG_FILE";

  private ConfigLoader() {}

  public static Config load(
      String service, Map<String, String> environment, Map<String, String> overrides) {
    Config declared = layered(service, environment, Map.of());
    Map<String, String> fromEnvironment = new LinkedHashMap<>();
    declared
        .traverse()
        .filter(Config::isLeaf)
        .forEach(
            node -> {
              String key = node.key().toString();
              String value = environment.get(environmentName(key));
              if (value != null) {
                fromEnvironment.put(key, value);
              }
            });
    fromEnvironment.putAll(overrides);
    return layered(service, environment, fromEnvironment);
  }

  private static Config layered(
      String service, Map<String, String> environment, Map<String, String> top) {
    Config.Builder builder =
        Config.builder()
            .disableEnvironmentVariablesSource()
            .disableSystemPropertiesSource()
            .addSource(ConfigSources.create(top).name("overrides").build());
    String file = environment.get(CONFIG_FILE_VARIABLE);
    if (file != null && !file.isBlank()) {
      if (!Files.isReadable(Path.of(file))) {
        throw new ConfigurationException(CONFIG_FILE_VARIABLE, "cannot read " + file);
      }
      builder.addSource(ConfigSources.file(file).build());
    }
    return builder
        .addSource(ConfigSources.classpath(service + "/application.yaml").optional().build())
        .addSource(ConfigSources.classpath("platform.yaml").build())
        .build();
  }

  /** The environment variable that overrides {@code key}. */
  public static String environmentName(String key) {
    return "OPENCLAW_" + key.replaceAll("[.\\-]", "_").toUpperCase(Locale.ROOT);
  }
}
