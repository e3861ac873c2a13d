package cloud.openclaw.operator.gateway;

import cloud.openclaw.platform.domain.ThinkingLevel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@link GatewayConfig#render} needs to write one box's openclaw.json. Holds the gateway
 * and proxy tokens: {@link #toString()} leaves them out.
 *
 * @param port the gateway's HTTP/WebSocket port (health probes use it too)
 * @param bind {@link Bind#LOOPBACK} for a local process, {@link Bind#LAN} in a pod
 * @param gatewayToken the token every gateway client must present (token auth)
 * @param stateDir OPENCLAW_STATE_DIR: memory, sessions, Telegram offsets
 * @param workspaceDir the agent's workspace (must exist: the gateway runs git init in it)
 * @param logFile where the gateway writes its log
 * @param tokenProxyBaseUrl the token proxy's OpenAI-compatible base URL, ending in /v1
 * @param proxyToken the box's proxy token, sent as the provider's API key
 * @param providerId the provider's name in openclaw.json (e.g. {@value
 *     GatewayConfig#DEFAULT_PROVIDER_ID})
 * @param model the model and its metadata
 * @param thinkingLevel the agent's default thinking level
 * @param botTokenFile a file holding the customer's Telegram bot token (tokenFile, never botToken)
 * @param telegramApiRoot a Bot API root for the sandbox; empty for the real Telegram
 * @param allowedTelegramUserIds who may talk to the bot (dmPolicy allowlist); never empty
 */
public record GatewayInputs(
    int port,
    Bind bind,
    String gatewayToken,
    String stateDir,
    String workspaceDir,
    String logFile,
    String tokenProxyBaseUrl,
    String proxyToken,
    String providerId,
    GatewayModel model,
    ThinkingLevel thinkingLevel,
    String botTokenFile,
    Optional<String> telegramApiRoot,
    List<Long> allowedTelegramUserIds) {

  /** Where the gateway listens. */
  public enum Bind {
    /** 127.0.0.1 only: the local runtime. */
    LOOPBACK("loopback"),
    /** 0.0.0.0: in a pod, so the kubelet's probes reach it. */
    LAN("lan");

    private final String value;

    Bind(String value) {
      this.value = value;
    }

    /** The value of gateway.bind. */
    public String value() {
      return value;
    }
  }

  public GatewayInputs {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("gateway port " + port + " is outside 1..65535");
    }
    Objects.requireNonNull(bind, "bind");
    requireText(gatewayToken, "gatewayToken");
    requireText(stateDir, "stateDir");
    requireText(workspaceDir, "workspaceDir");
    requireText(logFile, "logFile");
    requireText(tokenProxyBaseUrl, "tokenProxyBaseUrl");
    if (!tokenProxyBaseUrl.startsWith("http://") && !tokenProxyBaseUrl.startsWith("https://")) {
      throw new IllegalArgumentException("tokenProxyBaseUrl must be an http(s) URL");
    }
    requireText(proxyToken, "proxyToken");
    requireText(providerId, "providerId");
    if (!providerId.matches("[a-z][a-z0-9-]{0,62}")) {
      throw new IllegalArgumentException(
          "providerId '" + providerId + "' must be lower-case letters, digits and dashes");
    }
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(thinkingLevel, "thinkingLevel");
    requireText(botTokenFile, "botTokenFile");
    Objects.requireNonNull(telegramApiRoot, "telegramApiRoot");
    telegramApiRoot = telegramApiRoot.map(String::strip).filter(s -> !s.isEmpty());
    allowedTelegramUserIds = List.copyOf(allowedTelegramUserIds);
    if (allowedTelegramUserIds.isEmpty()) {
      throw new IllegalArgumentException(
          "allowedTelegramUserIds is empty: dmPolicy allowlist needs at least one user");
    }
    for (long id : allowedTelegramUserIds) {
      if (id <= 0) {
        throw new IllegalArgumentException("Telegram user id " + id + " is not positive");
      }
    }
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is missing");
    }
  }

  @Override
  public String toString() {
    return "GatewayInputs[port="
        + port
        + ", bind="
        + bind
        + ", stateDir="
        + stateDir
        + ", tokenProxyBaseUrl="
        + tokenProxyBaseUrl
        + ", providerId="
        + providerId
        + ", model="
        + model.id()
        + ", thinkingLevel="
        + thinkingLevel
        + ", telegramApiRoot="
        + telegramApiRoot.orElse("(Telegram)")
        + ", allowedTelegramUserIds="
        + allowedTelegramUserIds
        + "]";
  }
}
