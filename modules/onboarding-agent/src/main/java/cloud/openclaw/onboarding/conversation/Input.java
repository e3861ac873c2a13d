package cloud.openclaw.onboarding.conversation;

/** One thing a person (or a transport on their behalf) puts into a conversation. */
public sealed interface Input {
  /** The first contact, or a return: greets a new conversation, repeats the question otherwise. */
  record Start() implements Input {}

  /** What the person wrote. */
  record Text(String text) implements Input {}

  /** A button pressed for the question of {@code slot}. */
  record Choice(String slot, String value) implements Input {}

  /** A bot token, handed over apart from text (the Telegram managed-bot flow, a web form field). */
  record BotToken(String token) implements Input {}

  /**
   * The owner proved who they are: {@code telegramUserId} sent {@code /start <nonce>} to their bot.
   * Only the platform's own code makes this (the {@link OwnerProofs} watcher), never a client.
   */
  record OwnerProven(long telegramUserId, String nonce) implements Input {}
}
