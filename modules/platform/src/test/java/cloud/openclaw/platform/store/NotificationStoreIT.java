package cloud.openclaw.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.NewNotification;
import cloud.openclaw.platform.domain.Notification;
import cloud.openclaw.platform.domain.NotificationChannel;
import cloud.openclaw.platform.domain.NotificationKind;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.testkit.TestPostgres;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NotificationStoreIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  static Database db;
  static NotificationStore notifications;

  @BeforeAll
  static void migrate() {
    db = StoreFixtures.connect(postgres);
    notifications = new NotificationStore(db);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static NewNotification mail(String dedupeKey, String recipient) {
    return new NewNotification(
        null, NotificationKind.SIGN_IN_LINK, recipient, "Sign in", "Follow the link", dedupeKey);
  }

  @Test
  void enqueuesEachOccasionOnce() {
    String key = "sign_in_link:" + UUID.randomUUID();

    Optional<UUID> first = notifications.enqueue(mail(key, "ada@example.com"));
    Optional<UUID> again = notifications.enqueue(mail(key, "ada@example.com"));

    assertThat(first).isPresent();
    assertThat(again).isEmpty();
    Notification stored = notifications.find(db.execute(), first.orElseThrow()).orElseThrow();
    assertThat(stored.kind()).isEqualTo(NotificationKind.SIGN_IN_LINK);
    assertThat(stored.status()).isEqualTo("pending");
    assertThat(stored.attempts()).isZero();
    assertThat(stored.sentAt()).isNull();
    assertThat(stored.customerId()).isNull();
  }

  @Test
  void refusesARecipientThatIsNoAddress() {
    assertThatThrownBy(() -> notifications.enqueue(mail("k:" + UUID.randomUUID(), "nobody")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("email");
  }

  static NewNotification chat(String dedupeKey, String chatId) {
    return new NewNotification(
        null,
        NotificationKind.REACTIVATED,
        chatId,
        "Running again",
        "Your assistant is running again.",
        dedupeKey,
        NotificationChannel.TELEGRAM);
  }

  @Test
  void eachChannelIsClaimedByItsOwnSenderAndAChatIsNamedByItsId() {
    UUID message =
        notifications.enqueue(chat("telegram:" + UUID.randomUUID(), "4242")).orElseThrow();
    assertThatThrownBy(() -> notifications.enqueue(chat("telegram:" + UUID.randomUUID(), "a@b.c")))
        .isInstanceOf(InvalidInputException.class);

    assertThat(notifications.claim(100, Duration.ofMinutes(1)))
        .extracting(Notification::id)
        .doesNotContain(message);
    assertThat(notifications.claim(NotificationChannel.TELEGRAM, 100, Duration.ofMinutes(1)))
        .extracting(Notification::id)
        .containsExactly(message);

    notifications.markDead(
        message, "Telegram answered 403: Forbidden: bot was blocked by the user");
    Notification dead = notifications.find(db.execute(), message).orElseThrow();
    assertThat(dead.status()).isEqualTo("dead");
    assertThat(dead.channel()).isEqualTo(NotificationChannel.TELEGRAM);
    assertThat(dead.lastError()).contains("blocked");
    assertThat(dead.attempts()).isEqualTo(1);
  }
}
