package cloud.openclaw.platform.domain;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What it takes to create a box; the bot token is in clear here and sealed by the store. The use
 * case may be null.
 */
public record NewBox(
    UUID customerId,
    long botId,
    String botUsername,
    String botToken,
    List<Long> allowedTelegramUserIds,
    String model,
    ThinkingLevel thinkingLevel,
    BoxRuntime runtime,
    String useCase) {
  public NewBox {
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(botUsername, "botUsername");
    Objects.requireNonNull(botToken, "botToken");
    allowedTelegramUserIds = List.copyOf(allowedTelegramUserIds);
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(thinkingLevel, "thinkingLevel");
    Objects.requireNonNull(runtime, "runtime");
  }

  /** A box without a use case (made outside onboarding). */
  public NewBox(
      UUID customerId,
      long botId,
      String botUsername,
      String botToken,
      List<Long> allowedTelegramUserIds,
      String model,
      ThinkingLevel thinkingLevel,
      BoxRuntime runtime) {
    this(
        customerId,
        botId,
        botUsername,
        botToken,
        allowedTelegramUserIds,
        model,
        thinkingLevel,
        runtime,
        null);
  }

  /** Never prints the bot token. */
  @Override
  public String toString() {
    return "NewBox[customerId="
        + customerId
        + ", botId="
        + botId
        + ", botUsername="
        + botUsername
        + ", model="
        + model
        + ", runtime="
        + runtime
        + "]";
  }
}
