package cloud.openclaw.platform.config;

import io.helidon.config.Config;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Typed, validated reads of configuration keys: every failure names the key. */
public final class Settings {
  private final Config root;

  public Settings(Config root) {
    this.root = root;
  }

  public Config node(String key) {
    return root.get(key);
  }

  /** A value that must be present and not blank. */
  public String string(String key) {
    String value = optionalString(key);
    if (value.isEmpty()) {
      throw new ConfigurationException(key, "missing");
    }
    return value;
  }

  /** A value that may be empty; absent keys read as empty. */
  public String optionalString(String key) {
    return root.get(key).asString().map(String::strip).orElse("");
  }

  public int integer(String key, int min, int max) {
    String raw = string(key);
    try {
      int value = Integer.parseInt(raw);
      if (value < min || value > max) {
        throw new ConfigurationException(key, value + " is outside " + min + ".." + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigurationException(key, "'" + raw + "' is not a whole number");
    }
  }

  public long longInteger(String key, long min) {
    String raw = string(key);
    try {
      long value = Long.parseLong(raw);
      if (value < min) {
        throw new ConfigurationException(key, value + " is below " + min);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigurationException(key, "'" + raw + "' is not a whole number");
    }
  }

  public int port(String key) {
    return integer(key, 0, 65535);
  }

  public boolean bool(String key) {
    String raw = string(key);
    return switch (raw.toLowerCase()) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new ConfigurationException(key, "'" + raw + "' is not true or false");
    };
  }

  /** An ISO-8601 duration such as PT30S, or a number of milliseconds with the suffix ms. */
  public Duration duration(String key) {
    String raw = string(key);
    try {
      Duration value =
          raw.endsWith("ms")
              ? Duration.ofMillis(Long.parseLong(raw.substring(0, raw.length() - 2)))
              : Duration.parse(raw);
      if (value.isNegative() || value.isZero()) {
        throw new ConfigurationException(key, raw + " must be positive");
      }
      return value;
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new ConfigurationException(
          key, "'" + raw + "' is not a duration such as PT30S or 250ms");
    }
  }

  /** A URI with one of the given schemes, or empty when the key is empty. */
  public String optionalUri(String key, String... schemes) {
    String raw = optionalString(key);
    if (raw.isEmpty()) {
      return raw;
    }
    try {
      URI uri = URI.create(raw.startsWith("jdbc:") ? raw.substring(5) : raw);
      if (uri.getScheme() == null || !List.of(schemes).contains(uri.getScheme())) {
        throw new ConfigurationException(
            key, "'" + raw + "' must start with one of " + List.of(schemes));
      }
      if (uri.getHost() == null) {
        throw new ConfigurationException(key, "'" + raw + "' has no host");
      }
      return raw;
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(key, "'" + raw + "' is not a valid URL");
    }
  }

  public List<String> list(String key) {
    Config node = root.get(key);
    if (!node.exists()) {
      return List.of();
    }
    if (node.isLeaf()) {
      String raw = node.asString().orElse("").strip();
      return raw.isEmpty() ? List.of() : List.of(raw.split("\\s*,\\s*"));
    }
    return node.asList(String.class).orElse(List.of());
  }
}
