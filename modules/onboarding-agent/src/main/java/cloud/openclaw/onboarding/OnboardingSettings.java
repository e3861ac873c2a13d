package cloud.openclaw.onboarding;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The onboarding agent's own settings ({@code onboarding.*}, documented in its application.yaml).
 *
 * @param internalToken bearer that transports present on /conversations; empty: every call is 401
 * @param apiUrl where the api is (its POST /signup)
 * @param model the language model; {@link ModelSettings#enabled()} false: the scripted flow only
 * @param messagesPerMinute inputs one conversation may send per minute
 * @param stateTtl how long a conversation (state, chat memory, events) outlives its last input
 * @param ownerProofWait how long a pasted bot's owner proof is watched for, from each showing of
 *     the link
 * @param prices what each plan costs, as shown to people (plan name to text); a plan without one is
 *     priced on the checkout page only
 */
public record OnboardingSettings(
    String internalToken,
    URI apiUrl,
    ModelSettings model,
    int messagesPerMinute,
    Duration stateTtl,
    Duration ownerProofWait,
    Map<String, String> prices) {

  /** The OpenAI-compatible model (the platform's token proxy in production). */
  public record ModelSettings(String baseUrl, String apiKey, String name, Duration timeout) {
    public boolean enabled() {
      return !baseUrl.isEmpty() && !apiKey.isEmpty() && !name.isEmpty();
    }
  }

  public static OnboardingSettings from(Settings settings) {
    String token = settings.optionalString("onboarding.internal-token");
    if (!token.isEmpty() && token.length() < 16) {
      throw new ConfigurationException(
          "onboarding.internal-token", "must be at least 16 characters (or empty: off)");
    }
    Map<String, String> prices = new LinkedHashMap<>();
    settings
        .node("onboarding.prices")
        .asNodeList()
        .ifPresent(
            nodes ->
                nodes.forEach(node -> prices.put(node.name(), node.asString().orElse("").strip())));
    return new OnboardingSettings(
        token,
        URI.create(settings.optionalUri("onboarding.api-url", "http", "https")),
        new ModelSettings(
            settings.optionalUri("onboarding.model.base-url", "http", "https"),
            settings.optionalString("onboarding.model.api-key"),
            settings.optionalString("onboarding.model.name"),
            settings.duration("onboarding.model.timeout")),
        settings.integer("onboarding.messages-per-minute", 1, 10_000),
        settings.duration("onboarding.state-ttl"),
        settings.duration("onboarding.owner-proof-wait"),
        Map.copyOf(prices));
  }
}
