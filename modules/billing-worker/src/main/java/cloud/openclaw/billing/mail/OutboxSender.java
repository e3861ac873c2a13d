package cloud.openclaw.billing.mail;

import cloud.openclaw.billing.BillingMetrics;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Notification;
import cloud.openclaw.platform.jobs.Periodic;
import cloud.openclaw.platform.store.NotificationStore;
import jakarta.mail.MessagingException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends the outbox's due mail every {@code billing.mail.poll-interval}: claimed, sent over SMTP,
 * then recorded as sent; a failure (the server down, a refusal) is retried with backoff and the
 * mail is dead after {@code billing.mail.max-attempts}. Nothing is lost while the server is down.
 */
public final class OutboxSender implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(OutboxSender.class.getName());
  private static final int BATCH = 20;

  private final NotificationStore outbox;
  private final SmtpMailer mailer;
  private final MailSettings settings;
  private final BillingMetrics metrics;
  private Periodic periodic;

  public OutboxSender(Database database, MailSettings settings, BillingMetrics metrics) {
    this.outbox = new NotificationStore(database);
    this.mailer = new SmtpMailer(settings);
    this.settings = settings;
    this.metrics = metrics;
  }

  public OutboxSender start() {
    periodic = Periodic.start("mail-outbox", settings.pollInterval(), this::drain);
    return this;
  }

  /** Sends everything due now; how many were sent. */
  public int drain() {
    int sent = 0;
    while (true) {
      List<Notification> due = outbox.claim(BATCH, settings.lease());
      for (Notification mail : due) {
        if (send(mail)) {
          sent++;
        }
      }
      if (due.size() < BATCH) {
        metrics.outboxPending(outbox.countPending());
        return sent;
      }
    }
  }

  private boolean send(Notification mail) {
    try {
      mailer.send(mail);
    } catch (MessagingException | RuntimeException e) {
      metrics.emailFailed();
      boolean last = mail.attempts() >= settings.maxAttempts();
      LOG.log(
          last ? Level.WARNING : Level.INFO,
          "mail "
              + mail.id()
              + " ("
              + mail.kind().dbValue()
              + ") not sent, attempt "
              + mail.attempts()
              + (last ? "; giving up" : "; will retry")
              + ": "
              + e.getMessage());
      outbox.markFailed(
          mail.id(),
          e.toString(),
          settings.maxAttempts(),
          settings.backoff().after(mail.attempts()));
      return false;
    }
    outbox.markSent(mail.id());
    return true;
  }

  @Override
  public void close() {
    if (periodic != null) {
      periodic.close();
    }
  }
}
