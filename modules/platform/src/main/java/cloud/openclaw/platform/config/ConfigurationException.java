package cloud.openclaw.platform.config;

/**
 * A configuration key is missing or invalid; the message names the key and its environment
 * variable.
 */
public final class ConfigurationException extends RuntimeException {
  private final String key;

  public ConfigurationException(String key, String problem) {
    super(key + " (environment " + ConfigLoader.environmentName(key) + "): " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
