package cloud.openclaw.platform.domain;

import java.util.Objects;
import java.util.UUID;

/**
 * A notification to enqueue: an email, or a Telegram message (recipient: the chat id). {@code
 * dedupeKey} names the occasion (for example {@code usage_warning:<customer>:<period start>}):
 * enqueueing the same occasion twice sends one mail. {@code customerId} is null only for mail to
 * someone who is not a customer yet.
 */
public record NewNotification(
    UUID customerId,
    NotificationKind kind,
    String recipient,
    String subject,
    String body,
    String dedupeKey,
    NotificationChannel channel) {

  /** An email. */
  public NewNotification(
      UUID customerId,
      NotificationKind kind,
      String recipient,
      String subject,
      String body,
      String dedupeKey) {
    this(customerId, kind, recipient, subject, body, dedupeKey, NotificationChannel.EMAIL);
  }

  public NewNotification {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(dedupeKey, "dedupeKey");
  }
}
