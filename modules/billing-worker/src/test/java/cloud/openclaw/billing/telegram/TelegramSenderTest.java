package cloud.openclaw.billing.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.billing.telegram.TelegramSender.Delivery;
import cloud.openclaw.billing.telegram.TelegramSender.Delivery.Outcome;
import cloud.openclaw.platform.telegram.TelegramException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How Telegram's answers to sendMessage are weighed: what is retried, when, and what not. */
class TelegramSenderTest {
  static final Duration BACKOFF = Duration.ofSeconds(30);

  static Delivery answered(int code, String description, Long retryAfter) {
    return Delivery.of(
        TelegramException.fromAnswer("sendMessage", code, description, retryAfter), BACKOFF);
  }

  @Test
  void tooManyRequestsWaitsWhatTelegramAsks() {
    Delivery delivery = answered(429, "Too Many Requests: retry after 7", 7L);
    assertThat(delivery.outcome()).isEqualTo(Outcome.RETRY);
    assertThat(delivery.retryIn()).isEqualTo(Duration.ofSeconds(7));
    assertThat(answered(429, "Too Many Requests", null).retryIn()).isEqualTo(BACKOFF);
  }

  @Test
  void aServerErrorIsRetriedWithBackoff() {
    Delivery delivery = answered(502, "Bad Gateway", null);
    assertThat(delivery.outcome()).isEqualTo(Outcome.RETRY);
    assertThat(delivery.retryIn()).isEqualTo(BACKOFF);
  }

  @Test
  void aRevokedBotOrABlockedPersonIsGivenUpWithTheReason() {
    Delivery revoked = answered(401, "Unauthorized", null);
    assertThat(revoked.outcome()).isEqualTo(Outcome.GIVE_UP);
    assertThat(revoked.reason()).contains("401").contains("revoked");
    Delivery blocked = answered(403, "Forbidden: bot was blocked by the user", null);
    assertThat(blocked.outcome()).isEqualTo(Outcome.GIVE_UP);
    assertThat(blocked.reason()).contains("blocked by the user");
  }
}
