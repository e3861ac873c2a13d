package cloud.openclaw.onboarding.conversation;

import java.util.function.LongConsumer;

/**
 * Proves the owner of a pasted bot (web): someone opens {@code t.me/<bot>?start=<nonce>}, and the
 * watcher, reading the bot's updates (getUpdates, before its gateway exists), finds the message
 * {@code /start <nonce>} and reports its sender. The conversation makes the nonce, emits {@code
 * owner_link}, and accepts {@link Input.OwnerProven} with the same nonce.
 */
public interface OwnerProofs {
  /**
   * Starts watching; calls {@code proven} with the sender's id once {@code /start <nonce>} arrives.
   */
  void watch(String botToken, String nonce, LongConsumer proven);

  /** No watcher: the proof arrives only through {@link Input.OwnerProven} given by other code. */
  OwnerProofs NONE = (botToken, nonce, proven) -> {};
}
