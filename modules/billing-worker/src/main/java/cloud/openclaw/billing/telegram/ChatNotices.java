package cloud.openclaw.billing.telegram;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.NewNotification;
import cloud.openclaw.platform.domain.NotificationChannel;
import cloud.openclaw.platform.domain.NotificationKind;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.NotificationStore;
import io.helidon.dbclient.DbExecute;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * The platform's notices in the owner's own Telegram chat, sent through their own bot: the agent
 * itself can only repeat OpenClaw's fixed texts (about "your API key" when the allowance is spent),
 * so the platform says what happened in plain words. Each is put in the outbox (channel {@code
 * telegram}, recipient the owner's chat) in the transaction of its cause, once per occasion (dedupe
 * key {@code telegram:<kind>:<occasion>}); {@link TelegramSender} delivers it. A customer without a
 * live box has no bot to write with and gets none.
 */
public final class ChatNotices {
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private final BoxStore boxes;
  private final NotificationStore outbox;
  private final String dashboardUrl;

  public ChatNotices(BoxStore boxes, NotificationStore outbox, String dashboardUrl) {
    this.boxes = boxes;
    this.outbox = outbox;
    this.dashboardUrl = dashboardUrl;
  }

  /**
   * The customer crossed {@code percent} (80, or 100: all of it) of the period's allowance; {@code
   * renewsAt} is when the next period starts, if known.
   */
  public void usage(
      DbExecute exec, Customer customer, Instant periodStart, int percent, Instant renewsAt) {
    String renews =
        renewsAt == null ? "with your next billing period" : "on " + DAY.format(renewsAt);
    String text =
        percent >= 100
            ? "Your assistant has used all of this month's allowance, so it cannot answer you"
                + " until the allowance renews "
                + renews
                + ". To keep going now, move to a bigger plan: "
                + dashboardUrl
            : "Your assistant has used "
                + percent
                + "% of this month's allowance. It renews "
                + renews
                + ". If you need more before then, you can move to a bigger plan: "
                + dashboardUrl;
    enqueue(
        exec,
        customer,
        NotificationKind.USAGE_WARNING,
        customer.id() + ":" + periodStart + ":" + percent,
        percent >= 100 ? "Allowance used up" : "Allowance " + percent + "% used",
        text);
  }

  public void paymentFailed(DbExecute exec, Customer customer, String invoiceId) {
    enqueue(
        exec,
        customer,
        NotificationKind.PAYMENT_FAILED,
        invoiceId,
        "Payment failed",
        "We could not take this month's payment for your assistant. Please update your card so"
            + " that it keeps running: "
            + dashboardUrl);
  }

  public void suspended(DbExecute exec, Customer customer, String occasion) {
    enqueue(
        exec,
        customer,
        NotificationKind.SUSPENDED,
        occasion,
        "Assistant paused",
        "Your assistant is paused because the payment is overdue, so it will not answer for now."
            + " It starts again, with everything it remembers, as soon as the invoice is paid: "
            + dashboardUrl);
  }

  public void reactivated(DbExecute exec, Customer customer, String occasion) {
    enqueue(
        exec,
        customer,
        NotificationKind.REACTIVATED,
        occasion,
        "Assistant running again",
        "Thank you, your payment went through. Your assistant is running again and will answer"
            + " your messages in a moment.");
  }

  private void enqueue(
      DbExecute exec,
      Customer customer,
      NotificationKind kind,
      String occasion,
      String subject,
      String text) {
    boxes
        .findLiveForCustomer(exec, customer.id())
        .flatMap(box -> ownerChat(customer, box))
        .ifPresent(
            chat ->
                outbox.enqueue(
                    exec,
                    new NewNotification(
                        customer.id(),
                        kind,
                        Long.toString(chat),
                        subject,
                        text,
                        "telegram:" + kind.dbValue() + ":" + occasion,
                        NotificationChannel.TELEGRAM)));
  }

  /**
   * The owner's private chat with the bot: the customer's Telegram user, else the first allowed.
   */
  static Optional<Long> ownerChat(Customer customer, Box box) {
    if (customer.telegramUserId() != null) {
      return Optional.of(customer.telegramUserId());
    }
    return box.allowedTelegramUserIds().stream().findFirst();
  }
}
