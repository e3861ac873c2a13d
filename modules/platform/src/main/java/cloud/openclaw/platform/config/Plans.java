package cloud.openclaw.platform.config;

import io.helidon.config.Config;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The plans on sale, read from {@code plans.<name>.*}. */
public final class Plans {
  static final List<String> THINKING_LEVELS =
      List.of("off", "minimal", "low", "medium", "high", "xhigh", "adaptive", "max", "ultra");

  private final Map<String, Plan> byName;

  public Plans(List<Plan> plans) {
    Map<String, Plan> map = new LinkedHashMap<>();
    plans.forEach(plan -> map.put(plan.name(), plan));
    this.byName = Map.copyOf(map);
  }

  public static Plans from(Settings settings) {
    Config node = settings.node("plans");
    if (!node.exists() || node.asNodeList().orElse(List.of()).isEmpty()) {
      throw new ConfigurationException("plans", "no plan is configured");
    }
    List<Plan> plans =
        node.asNodeList().orElseThrow().stream().map(plan -> read(settings, plan.name())).toList();
    return new Plans(plans);
  }

  private static Plan read(Settings settings, String name) {
    String at = "plans." + name + ".";
    List<String> models = settings.list(at + "models");
    if (models.isEmpty()) {
      throw new ConfigurationException(at + "models", "a plan needs at least one model");
    }
    List<String> levels = settings.list(at + "thinking-levels");
    for (String level : levels) {
      if (!THINKING_LEVELS.contains(level)) {
        throw new ConfigurationException(
            at + "thinking-levels", "'" + level + "' is not one of " + THINKING_LEVELS);
      }
    }
    if (levels.isEmpty()) {
      throw new ConfigurationException(at + "thinking-levels", "a plan needs at least one level");
    }
    return new Plan(
        name,
        settings.string(at + "stripe-price"),
        settings.longInteger(at + "monthly-tokens", 1),
        settings.integer(at + "requests-per-second", 1, 10_000),
        models,
        levels);
  }

  public Optional<Plan> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Optional<Plan> byStripePrice(String priceId) {
    return byName.values().stream().filter(p -> p.stripePriceId().equals(priceId)).findFirst();
  }

  public List<Plan> all() {
    return List.copyOf(byName.values());
  }
}
