package cloud.openclaw.billing.telegram;

import cloud.openclaw.billing.mail.MailSettings;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Notification;
import cloud.openclaw.platform.domain.NotificationChannel;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.NotificationStore;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.platform.telegram.TelegramException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Delivers the outbox's Telegram notices with the customer's own bot (sendMessage with the live
 * box's token; no conflict with the gateway, which only polls). Claimed and leased like the mails
 * and on the same schedule ({@code billing.mail.*}); Telegram's 429 is retried after its {@code
 * retry_after}, a 5xx or an unreachable Telegram with backoff, and a refusal for good (401: the
 * token was revoked; 403: the person blocked the bot; 400: no such chat) is given up at once with
 * the reason in {@code last_error}.
 */
public final class TelegramSender implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TelegramSender.class.getName());
  private static final int BATCH = 20;

  private final NotificationStore outbox;
  private final BoxStore boxes;
  private final TelegramBots telegram;
  private final MailSettings settings;
  private Periodic periodic;

  public TelegramSender(
      Database database, BoxStore boxes, TelegramBots telegram, MailSettings settings) {
    this.outbox = new NotificationStore(database);
    this.boxes = boxes;
    this.telegram = telegram;
    this.settings = settings;
  }

  public TelegramSender start() {
    periodic = Periodic.start("telegram-outbox", settings.pollInterval(), this::drain);
    return this;
  }

  /** Sends everything due now; how many were delivered. */
  public int drain() {
    int sent = 0;
    while (true) {
      List<Notification> due = outbox.claim(NotificationChannel.TELEGRAM, BATCH, settings.lease());
      for (Notification notice : due) {
        if (send(notice)) {
          sent++;
        }
      }
      if (due.size() < BATCH) {
        return sent;
      }
    }
  }

  private boolean send(Notification notice) {
    Optional<Box> box = boxes.findLiveForCustomer(notice.customerId());
    if (box.isEmpty()) {
      giveUp(notice, "the customer has no live box (no bot to write with)");
      return false;
    }
    Delivery delivery;
    try {
      telegram
          .bot(boxes.openBotToken(box.get()))
          .sendMessage(Long.parseLong(notice.recipient()), notice.body());
      delivery = Delivery.SENT;
    } catch (TelegramException e) {
      delivery = Delivery.of(e, settings.backoff().after(notice.attempts()));
    }
    switch (delivery.outcome()) {
      case SENT -> outbox.markSent(notice.id());
      case RETRY ->
          outbox.markFailed(
              notice.id(), delivery.reason(), settings.maxAttempts(), delivery.retryIn());
      case GIVE_UP -> giveUp(notice, delivery.reason());
    }
    return delivery.outcome() == Delivery.Outcome.SENT;
  }

  private void giveUp(Notification notice, String reason) {
    LOG.info("telegram notice " + notice.id() + " (" + notice.kind().dbValue() + "): " + reason);
    outbox.markDead(notice.id(), reason);
  }

  /** What one sendMessage came to, and what is done next. */
  record Delivery(Outcome outcome, String reason, Duration retryIn) {
    enum Outcome {
      SENT,
      RETRY,
      GIVE_UP
    }

    static final Delivery SENT = new Delivery(Outcome.SENT, null, Duration.ZERO);

    static Delivery retry(String reason, Duration after) {
      return new Delivery(Outcome.RETRY, reason, after);
    }

    /** Telegram's refusal weighed: {@code backoff} is the wait before a retry it does not time. */
    static Delivery of(TelegramException refusal, Duration backoff) {
      String reason =
          refusal.errorCode() == 0
              ? refusal.description()
              : "Telegram answered " + refusal.errorCode() + ": " + refusal.description();
      if (refusal.retryable()) {
        return retry(reason, refusal.retryAfter().orElse(backoff));
      }
      String why =
          switch (refusal) {
            case TelegramException.TokenRefused revoked -> " (the bot's token was revoked)";
            case TelegramException.BadRequest bad when bad.forbidden() ->
                " (the person blocked the bot, or never started it)";
            default -> "";
          };
      return new Delivery(Outcome.GIVE_UP, reason + why, Duration.ZERO);
    }
  }

  @Override
  public void close() {
    if (periodic != null) {
      periodic.close();
    }
  }
}
