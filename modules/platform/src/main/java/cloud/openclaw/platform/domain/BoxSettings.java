package cloud.openclaw.platform.domain;

import java.util.List;
import java.util.Objects;

/** What a customer may change on a live box. */
public record BoxSettings(
    List<Long> allowedTelegramUserIds, String model, ThinkingLevel thinkingLevel) {
  public BoxSettings {
    allowedTelegramUserIds = List.copyOf(allowedTelegramUserIds);
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(thinkingLevel, "thinkingLevel");
  }
}
