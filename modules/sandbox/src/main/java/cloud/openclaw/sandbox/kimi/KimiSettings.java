package cloud.openclaw.sandbox.kimi;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import io.helidon.config.Config;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;

/**
 * How the Kimi stand-in behaves, from {@code sandbox.kimi.*}.
 *
 * @param apiKey the one key accepted as {@code Authorization: Bearer <key>}
 * @param latency added before the first byte of every chat completion; zero for none
 * @param models the model ids served, in the order GET /models lists them
 */
public record KimiSettings(String apiKey, Duration latency, List<String> models) {
  static final String API_KEY = "sandbox.kimi.api-key";
  static final String LATENCY = "sandbox.kimi.latency";
  static final String MODELS = "sandbox.kimi.models";

  public KimiSettings {
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(latency, "latency");
    models = List.copyOf(models);
    if (apiKey.isBlank()) {
      throw new IllegalArgumentException("apiKey is blank");
    }
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency is negative: " + latency);
    }
    if (models.isEmpty()) {
      throw new IllegalArgumentException("no models");
    }
  }

  /** The defaults of sandbox/application.yaml, for tests that build a stand-in by hand. */
  public static KimiSettings defaults() {
    return new KimiSettings(
        "sk-sandbox-kimi",
        Duration.ZERO,
        List.of("kimi-k3", "kimi-k2.7-code", "kimi-k2.7-code-highspeed", "kimi-k2.6"));
  }

  public static KimiSettings from(Settings settings) {
    return new KimiSettings(settings.string(API_KEY), latency(settings), models(settings));
  }

  /**
   * The YAML list, element by element overridable ({@code sandbox.kimi.models.0}), or a whole
   * comma-separated override of {@code sandbox.kimi.models}, which Helidon merges onto the list
   * node as a value that {@link Settings#list} would not see.
   */
  private static List<String> models(Settings settings) {
    Config node = settings.node(MODELS);
    List<String> models =
        (node.hasValue() ? List.of(node.asString().get().split(",")) : settings.list(MODELS))
            .stream().map(String::strip).toList();
    if (models.isEmpty() || models.contains("")) {
      throw new ConfigurationException(MODELS, "needs at least one model id, none blank");
    }
    return models;
  }

  /** Like {@link Settings#duration} (PT1S, 250ms), but zero (0, 0ms, PT0S) or empty is allowed. */
  private static Duration latency(Settings settings) {
    String raw = settings.optionalString(LATENCY);
    if (raw.isEmpty() || raw.matches("0+(ms)?")) {
      return Duration.ZERO;
    }
    try {
      if (Duration.parse(raw).isZero()) {
        return Duration.ZERO;
      }
    } catch (DateTimeParseException e) {
      // not ISO-8601: Settings.duration reads 250ms or names the key in its refusal
    }
    return settings.duration(LATENCY);
  }
}
