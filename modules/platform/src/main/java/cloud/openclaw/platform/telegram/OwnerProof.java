package cloud.openclaw.platform.telegram;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Proves who owns a bot whose token was pasted: the person opens {@link #deepLink} ({@code
 * https://t.me/<bot>?start=<nonce>}), their app sends {@code /start <nonce>} to the bot, and {@link
 * #await} reads it with getUpdates on the bot's own token and answers the sender. Only that exact
 * message counts, in a private chat, from a person: other messages, other senders and other nonces
 * are ignored (never "the first one to write wins"), and the nonce is one-time (the caller's to
 * keep and forget).
 *
 * <p>It consumes updates: it runs before the customer's gateway exists, and confirms (getUpdates
 * offset) every update up to and including the proving message, so messages a person sent to their
 * new bot before proving are not answered later. Updates after the proving message are left
 * unconfirmed, for the gateway. A webhook on the bot, or another client polling it, is a {@link
 * TelegramException.Conflict} (the caller may {@link TelegramBot#deleteWebhook} and ask again).
 */
public final class OwnerProof {
  /** Telegram's start parameter: 1-64 of A-Z, a-z, 0-9, _ and -. */
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int NONCE_LENGTH = 32;

  private final TelegramBots telegram;
  private final SecureRandom random = new SecureRandom();

  public OwnerProof(TelegramBots telegram) {
    this.telegram = telegram;
  }

  /** A fresh one-time nonce: 32 letters and digits (about 190 bits). */
  public String newNonce() {
    StringBuilder nonce = new StringBuilder(NONCE_LENGTH);
    for (int i = 0; i < NONCE_LENGTH; i++) {
      nonce.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return nonce.toString();
  }

  /** The link that makes the person's app send {@code /start <nonce>} to bot {@code username}. */
  public static String deepLink(String botUsername, String nonce) {
    checkNonce(nonce);
    return "https://t.me/" + botUsername + "?start=" + nonce;
  }

  /**
   * Waits up to {@code wait} for {@code /start <nonce>} on bot {@code token}: the person who sent
   * it, or empty when it did not come in time.
   *
   * @throws TelegramException when Telegram refuses the token (TokenRefused), another client reads
   *     the bot's updates (Conflict), or cannot be reached
   */
  public Optional<TelegramUser> await(String token, String nonce, Duration wait) {
    checkNonce(nonce);
    TelegramBot bot = telegram.bot(token);
    String expected = "/start " + nonce;
    long deadline = System.nanoTime() + wait.toNanos();
    long offset = 0;
    while (true) {
      long remaining = Math.max(0, deadline - System.nanoTime());
      long seconds = (remaining + 999_999_999L) / 1_000_000_000L; // rounded up: no busy loop
      int timeout = (int) Math.min(TelegramBot.MAX_POLL_SECONDS, seconds);
      // allowed_updates stays as it is: Telegram keeps it for the bot, and the gateway needs its
      // own
      List<TelegramUpdate> updates = bot.getUpdates(offset, timeout, null);
      for (TelegramUpdate update : updates) {
        offset = update.updateId() + 1;
        TelegramMessage message = update.message();
        if (proves(message, expected)) {
          bot.getUpdates(offset, 0, null); // confirms up to the proof, not beyond it
          return Optional.of(message.from());
        }
      }
      if (System.nanoTime() >= deadline) {
        if (!updates.isEmpty()) {
          bot.getUpdates(offset, 0, null);
        }
        return Optional.empty();
      }
    }
  }

  private static boolean proves(TelegramMessage message, String expected) {
    return message != null
        && message.from() != null
        && !message.from().isBot()
        && message.isPrivate()
        && message.chatId() == message.from().id()
        && message.text() != null
        && message.text().strip().equals(expected);
  }

  private static void checkNonce(String nonce) {
    if (nonce == null || !NONCE.matcher(nonce).matches()) {
      throw new IllegalArgumentException("a nonce is 1-64 of A-Z, a-z, 0-9, _ and -");
    }
  }
}
