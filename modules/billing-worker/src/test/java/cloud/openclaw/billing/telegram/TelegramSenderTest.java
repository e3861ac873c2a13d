package cloud.openclaw.billing.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.billing.telegram.TelegramSender.Delivery;
import cloud.openclaw.billing.telegram.TelegramSender.Delivery.Outcome;
import cloud.openclaw.platform.telegram.TelegramBots.Sent;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How Telegram's answers to sendMessage are weighed: what is retried, when, and what not. */
class TelegramSenderTest {
  static final Duration BACKOFF = Duration.ofSeconds(30);

  @Test
  void aSentMessageIsDone() {
    assertThat(Delivery.of(new Sent(200, "", null), BACKOFF).outcome()).isEqualTo(Outcome.SENT);
  }

  @Test
  void tooManyRequestsWaitsWhatTelegramAsks() {
    Delivery delivery = Delivery.of(new Sent(429, "Too Many Requests: retry after 7", 7L), BACKOFF);
    assertThat(delivery.outcome()).isEqualTo(Outcome.RETRY);
    assertThat(delivery.retryIn()).isEqualTo(Duration.ofSeconds(7));
    assertThat(Delivery.of(new Sent(429, "Too Many Requests", null), BACKOFF).retryIn())
        .isEqualTo(BACKOFF);
  }

  @Test
  void aServerErrorIsRetriedWithBackoff() {
    Delivery delivery = Delivery.of(new Sent(502, "Bad Gateway", null), BACKOFF);
    assertThat(delivery.outcome()).isEqualTo(Outcome.RETRY);
    assertThat(delivery.retryIn()).isEqualTo(BACKOFF);
  }

  @Test
  void aRevokedBotOrABlockedPersonIsGivenUpWithTheReason() {
    Delivery revoked = Delivery.of(new Sent(401, "Unauthorized", null), BACKOFF);
    assertThat(revoked.outcome()).isEqualTo(Outcome.GIVE_UP);
    assertThat(revoked.reason()).contains("401").contains("revoked");
    Delivery blocked =
        Delivery.of(new Sent(403, "Forbidden: bot was blocked by the user", null), BACKOFF);
    assertThat(blocked.outcome()).isEqualTo(Outcome.GIVE_UP);
    assertThat(blocked.reason()).contains("blocked by the user");
  }
}
