package cloud.openclaw.api.admin;

import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.platform.telegram.TelegramException;

/**
 * Replaces the token of a bot that the onboarding setup bot manages (a bot someone created with its
 * request_managed_bot button), with the setup bot's own token ({@code
 * api.onboarding.setup-bot-token}).
 */
public final class ManagedBotTokens {
  private final TelegramBots telegram;
  private final String setupBotToken;

  /** {@code setupBotToken} empty: no bot is managed here, every replacement is refused. */
  public ManagedBotTokens(TelegramBots telegram, String setupBotToken) {
    this.telegram = telegram;
    this.setupBotToken = setupBotToken;
  }

  /**
   * Bot {@code botId}'s new token (replaceManagedBotToken); its old one stops working at once.
   *
   * @throws ConflictException (not_managed_bot) when the setup bot does not manage it, or there is
   *     no setup bot
   * @throws UnavailableException when Telegram cannot be asked, or refuses the setup bot's token
   */
  public String replace(long botId) {
    if (!TelegramBots.isToken(setupBotToken)) {
      throw notManaged();
    }
    try {
      return telegram.bot(setupBotToken).replaceManagedBotToken(botId);
    } catch (TelegramException.BadRequest e) {
      throw notManaged(); // Telegram: BOT_INVALID
    } catch (TelegramException e) {
      throw new UnavailableException(
          "Telegram answered replaceManagedBotToken: " + e.description(), e);
    }
  }

  private static ConflictException notManaged() {
    return new ConflictException("not_managed_bot", "not a managed bot");
  }
}
