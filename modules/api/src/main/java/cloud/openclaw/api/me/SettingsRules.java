package cloud.openclaw.api.me;

import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.errors.InvalidInputException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * What a customer may set on their box, checked against their plan; each refusal names its field.
 */
public final class SettingsRules {
  static final int MAX_ALLOWED_USERS = 50;
  private static final int MAX_NAME = 64;

  private SettingsRules() {}

  public static BoxSettings validate(
      Plan plan, List<Long> allowedTelegramUserIds, String model, String thinkingLevel) {
    if (allowedTelegramUserIds == null || allowedTelegramUserIds.isEmpty()) {
      throw new InvalidInputException(
          "allowedTelegramUserIds", "allow at least one Telegram user id");
    }
    LinkedHashSet<Long> ids = new LinkedHashSet<>();
    for (Long id : allowedTelegramUserIds) {
      if (id == null || id <= 0) {
        throw new InvalidInputException(
            "allowedTelegramUserIds", "a Telegram user id is a positive number");
      }
      ids.add(id);
    }
    if (ids.size() > MAX_ALLOWED_USERS) {
      throw new InvalidInputException(
          "allowedTelegramUserIds", "allow at most " + MAX_ALLOWED_USERS + " Telegram users");
    }
    String chosenModel = name("model", model);
    if (!plan.allowsModel(chosenModel)) {
      throw new InvalidInputException(
          "model", "the " + plan.name() + " plan offers the models " + plan.models());
    }
    String level = name("thinkingLevel", thinkingLevel).toLowerCase(Locale.ROOT);
    if (!plan.allowsThinkingLevel(level)) {
      throw new InvalidInputException(
          "thinkingLevel",
          "the " + plan.name() + " plan offers the thinking levels " + plan.thinkingLevels());
    }
    return new BoxSettings(List.copyOf(ids), chosenModel, ThinkingLevel.fromDb(level));
  }

  private static String name(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(field, "'" + field + "' is required");
    }
    if (value.length() > MAX_NAME) {
      throw new InvalidInputException(
          field, "'" + field + "' is longer than " + MAX_NAME + " characters");
    }
    return value.strip();
  }
}
