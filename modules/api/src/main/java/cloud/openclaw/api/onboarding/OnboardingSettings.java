package cloud.openclaw.api.onboarding;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.net.URI;
import java.time.Duration;

/**
 * The web chat relay's keys ({@code api.onboarding.*}): where the onboarding agent takes input and
 * the token it wants, how long a chat session lives, how many sockets one api holds, and the limits
 * per client address and per session.
 */
public record OnboardingSettings(
    URI agentUrl,
    String internalToken,
    Duration sessionTtl,
    int maxSockets,
    int sessionsPerIp,
    Duration sessionWindow,
    int messagesPerSession,
    int messagesPerIp,
    Duration messageWindow) {

  public static OnboardingSettings from(Settings settings) {
    String url = settings.optionalUri("api.onboarding.url", "http", "https");
    if (url.isEmpty()) {
      throw new ConfigurationException("api.onboarding.url", "missing (the onboarding agent)");
    }
    return new OnboardingSettings(
        URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url),
        settings.optionalString("api.onboarding.internal-token"),
        settings.duration("api.onboarding.session-ttl"),
        settings.integer("api.onboarding.max-sockets", 1, 100_000),
        settings.integer("api.onboarding.limits.sessions-per-ip", 1, 1_000_000),
        settings.duration("api.onboarding.limits.session-window"),
        settings.integer("api.onboarding.limits.messages-per-session", 1, 1_000_000),
        settings.integer("api.onboarding.limits.messages-per-ip", 1, 1_000_000),
        settings.duration("api.onboarding.limits.message-window"));
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "OnboardingSettings[agentUrl=" + agentUrl + ", maxSockets=" + maxSockets + "]";
  }
}
