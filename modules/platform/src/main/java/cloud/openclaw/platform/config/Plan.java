package cloud.openclaw.platform.config;

import java.util.List;

/** A plan a customer can buy: its Stripe price and what it allows. */
public record Plan(
    String name,
    String stripePriceId,
    long monthlyTokens,
    int requestsPerSecond,
    List<String> models,
    List<String> thinkingLevels) {

  public boolean allowsModel(String model) {
    return models.contains(model);
  }

  public boolean allowsThinkingLevel(String level) {
    return thinkingLevels.contains(level);
  }

  public String defaultModel() {
    return models.getFirst();
  }
}
