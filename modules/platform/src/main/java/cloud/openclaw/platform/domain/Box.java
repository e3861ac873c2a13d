package cloud.openclaw.platform.domain;

import cloud.openclaw.platform.crypto.SecretBox;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A customer's agent: one OpenClaw gateway polling one Telegram bot. The bot token stays sealed
 * here; only {@code BoxStore.openBotToken} opens it, for the one caller that needs it. {@code
 * useCase} is what the customer said the agent is for (null when never asked); the operator writes
 * it into the agent's workspace.
 */
public record Box(
    UUID id,
    UUID customerId,
    long botId,
    String botUsername,
    SecretBox.Sealed botToken,
    List<Long> allowedTelegramUserIds,
    String model,
    ThinkingLevel thinkingLevel,
    BoxRuntime runtime,
    String namespace,
    BoxDesiredState desiredState,
    BoxObservedState observedState,
    String lastError,
    Instant createdAt,
    Instant updatedAt,
    Instant readyAt,
    Instant destroyedAt,
    String useCase) {

  public Box {
    allowedTelegramUserIds = List.copyOf(allowedTelegramUserIds);
  }

  /** The longest use case a box keeps (boxes.use_case). */
  public static final int USE_CASE_MAX = 2_000;

  /** The associated data that binds a sealed bot token to the box it belongs to. */
  public static String botTokenAssociatedData(UUID boxId) {
    return "box:" + boxId + ":bot-token";
  }

  /** True until the box is destroyed; a customer and a bot have at most one live box each. */
  public boolean isLive() {
    return destroyedAt == null;
  }

  @Override
  public String toString() {
    return "Box[id="
        + id
        + ", customerId="
        + customerId
        + ", botUsername="
        + botUsername
        + ", desiredState="
        + desiredState
        + ", observedState="
        + observedState
        + "]";
  }
}
