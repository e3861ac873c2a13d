package cloud.openclaw.operator.local;

import cloud.openclaw.operator.gateway.GatewayModel;
import cloud.openclaw.platform.domain.ThinkingLevel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What {@link LocalRuntime#start} needs to run one box as a child process. Holds the bot and proxy
 * tokens: {@link #toString()} leaves them out.
 *
 * @param boxId the box
 * @param botToken the customer's Telegram bot token (written to a file of mode 600)
 * @param allowedTelegramUserIds who may talk to the bot; never empty
 * @param model the model behind the token proxy
 * @param thinkingLevel the agent's default thinking level
 * @param tokenProxyBaseUrl the token proxy's OpenAI-compatible base URL, ending in /v1
 * @param proxyToken the box's proxy token
 * @param telegramApiRoot a Bot API root (the sandbox's /telegram); empty for the real Telegram
 * @param gatewayToken the gateway's auth token; empty to keep the box's (or make one up)
 * @param userSection the platform's section of the workspace's USER.md ({@link
 *     cloud.openclaw.operator.gateway.WorkspaceFiles#section}); empty when the box has no use case
 */
public record LocalBox(
    UUID boxId,
    String botToken,
    List<Long> allowedTelegramUserIds,
    GatewayModel model,
    ThinkingLevel thinkingLevel,
    String tokenProxyBaseUrl,
    String proxyToken,
    Optional<String> telegramApiRoot,
    Optional<String> gatewayToken,
    Optional<String> userSection) {

  public LocalBox {
    Objects.requireNonNull(boxId, "boxId");
    if (botToken == null || botToken.isBlank()) {
      throw new IllegalArgumentException("botToken is missing");
    }
    allowedTelegramUserIds = List.copyOf(allowedTelegramUserIds);
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(thinkingLevel, "thinkingLevel");
    Objects.requireNonNull(tokenProxyBaseUrl, "tokenProxyBaseUrl");
    if (proxyToken == null || proxyToken.isBlank()) {
      throw new IllegalArgumentException("proxyToken is missing");
    }
    telegramApiRoot = Objects.requireNonNull(telegramApiRoot, "telegramApiRoot");
    gatewayToken = Objects.requireNonNull(gatewayToken, "gatewayToken").filter(t -> !t.isBlank());
    userSection = Objects.requireNonNull(userSection, "userSection");
  }

  @Override
  public String toString() {
    return "LocalBox[boxId="
        + boxId
        + ", allowedTelegramUserIds="
        + allowedTelegramUserIds
        + ", model="
        + model.id()
        + ", thinkingLevel="
        + thinkingLevel
        + ", tokenProxyBaseUrl="
        + tokenProxyBaseUrl
        + ", telegramApiRoot="
        + telegramApiRoot.orElse("(Telegram)")
        + "]";
  }
}
