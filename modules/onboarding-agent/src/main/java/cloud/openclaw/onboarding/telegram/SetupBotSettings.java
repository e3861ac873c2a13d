package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.platform.config.Settings;
import java.net.URI;
import java.time.Duration;

/**
 * The setup bot's configuration ({@code onboarding.telegram.*}).
 *
 * @param token the setup bot's token; empty: the Telegram transport is off
 * @param apiRoot the Bot API root, the platform's {@code telegram.api-root} (Telegram's, or the
 *     sandbox's {@code http://.../telegram})
 * @param idleTimeout how long a conversation's renderer waits for new events before it ends (the
 *     person's next input, or the sweep, starts it again)
 */
public record SetupBotSettings(String token, URI apiRoot, Duration idleTimeout) {
  public static final String PREFIX = "onboarding.telegram.";

  public static SetupBotSettings from(Settings settings) {
    return new SetupBotSettings(
        settings.optionalString(PREFIX + "token"),
        URI.create(settings.string("telegram.api-root")),
        settings.optionalString(PREFIX + "idle-timeout").isEmpty()
            ? Duration.ofMinutes(10)
            : settings.duration(PREFIX + "idle-timeout"));
  }

  /** Whether the transport runs (a token is configured). */
  public boolean enabled() {
    return !token.isBlank();
  }

  @Override
  public String toString() {
    return "SetupBotSettings[apiRoot=" + apiRoot + ", idleTimeout=" + idleTimeout + "]";
  }
}
