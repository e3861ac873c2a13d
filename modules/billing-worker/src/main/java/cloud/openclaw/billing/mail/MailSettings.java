package cloud.openclaw.billing.mail;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.jobs.Backoff;
import java.time.Duration;

/** The SMTP server and the outbox's pace ({@code billing.mail.*}). */
public record MailSettings(
    String host,
    int port,
    String username,
    String password,
    boolean startTls,
    String from,
    Duration timeout,
    Duration pollInterval,
    Duration lease,
    int maxAttempts,
    Backoff backoff) {

  public static MailSettings from(Settings settings) {
    String from = settings.string("billing.mail.from");
    if (!from.matches("[^@\\s]+@[^@\\s]+") && !from.matches(".*<[^@\\s]+@[^@\\s]+>")) {
      throw new ConfigurationException("billing.mail.from", "'" + from + "' is not an address");
    }
    Duration base = settings.duration("billing.mail.backoff-base");
    Duration max = settings.duration("billing.mail.backoff-max");
    if (max.compareTo(base) < 0) {
      throw new ConfigurationException(
          "billing.mail.backoff-max", "shorter than billing.mail.backoff-base");
    }
    return new MailSettings(
        settings.string("billing.mail.host"),
        settings.integer("billing.mail.port", 1, 65535),
        settings.optionalString("billing.mail.username"),
        settings.optionalString("billing.mail.password"),
        settings.bool("billing.mail.starttls"),
        from,
        settings.duration("billing.mail.timeout"),
        settings.duration("billing.mail.poll-interval"),
        settings.duration("billing.mail.lease"),
        settings.integer("billing.mail.max-attempts", 1, 1000),
        new Backoff(base, max));
  }
}
