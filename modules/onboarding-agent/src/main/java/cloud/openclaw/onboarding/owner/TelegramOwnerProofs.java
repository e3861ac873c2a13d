package cloud.openclaw.onboarding.owner;

import cloud.openclaw.onboarding.conversation.OwnerProofs;
import cloud.openclaw.platform.telegram.OwnerProof;
import cloud.openclaw.platform.telegram.TelegramException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The owner proof of a pasted bot, watched on Telegram: one virtual thread per nonce long-polls the
 * person's bot ({@link OwnerProof#await}) until {@code /start <nonce>} arrives, Telegram refuses
 * the token, or {@code giveUpAfter} passes. Asking again for a nonce already watched changes
 * nothing, so the conversation can ask every time it shows the link (after a restart of this
 * service the next showing starts the watch again).
 */
public final class TelegramOwnerProofs implements OwnerProofs, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TelegramOwnerProofs.class.getName());
  private static final Duration POLL = Duration.ofSeconds(25);
  private static final Duration AFTER_ERROR = Duration.ofSeconds(5);

  private final OwnerProof proof;
  private final Duration giveUpAfter;
  private final Set<String> watching = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public TelegramOwnerProofs(OwnerProof proof, Duration giveUpAfter) {
    this.proof = proof;
    this.giveUpAfter = giveUpAfter;
  }

  @Override
  public void watch(String botToken, String nonce, LongConsumer proven) {
    if (closed || !watching.add(nonce)) {
      return;
    }
    Thread.ofVirtual()
        .name("owner-proof")
        .start(
            () -> {
              try {
                awaitProof(botToken, nonce).ifPresent(proven::accept);
              } finally {
                watching.remove(nonce);
              }
            });
  }

  /** Whether a watch for {@code nonce} runs now. */
  public boolean watching(String nonce) {
    return watching.contains(nonce);
  }

  private Optional<Long> awaitProof(String botToken, String nonce) {
    Instant giveUp = Instant.now().plus(giveUpAfter);
    while (!closed && Instant.now().isBefore(giveUp)) {
      try {
        Optional<Long> sender = proof.await(botToken, nonce, POLL).map(user -> user.id());
        if (sender.isPresent()) {
          return sender;
        }
      } catch (TelegramException.TokenRefused e) {
        LOG.info("an owner proof stopped: Telegram refuses the bot's token");
        return Optional.empty();
      } catch (TelegramException e) {
        // A webhook or another poller on the person's bot, or Telegram unreachable: try again soon.
        LOG.log(Level.FINE, "an owner proof's poll failed; trying again", e);
        pause(e.retryAfter().orElse(AFTER_ERROR));
      }
    }
    return Optional.empty();
  }

  private void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
