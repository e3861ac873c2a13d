package cloud.openclaw.billing.mail;

import cloud.openclaw.platform.domain.Notification;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/** Sends one plain-text mail over SMTP (Jakarta Mail, Angus implementation). */
final class SmtpMailer {
  private final Session session;
  private final InternetAddress from;

  SmtpMailer(MailSettings settings) {
    Properties properties = new Properties();
    properties.put("mail.transport.protocol", "smtp");
    properties.put("mail.smtp.host", settings.host());
    properties.put("mail.smtp.port", String.valueOf(settings.port()));
    String timeout = String.valueOf(settings.timeout().toMillis());
    properties.put("mail.smtp.connectiontimeout", timeout);
    properties.put("mail.smtp.timeout", timeout);
    properties.put("mail.smtp.writetimeout", timeout);
    if (settings.startTls()) {
      properties.put("mail.smtp.starttls.enable", "true");
      properties.put("mail.smtp.starttls.required", "true");
    }
    Authenticator authenticator = null;
    if (!settings.username().isEmpty()) {
      properties.put("mail.smtp.auth", "true");
      authenticator =
          new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
              return new PasswordAuthentication(settings.username(), settings.password());
            }
          };
    }
    this.session = Session.getInstance(properties, authenticator);
    try {
      this.from = new InternetAddress(settings.from(), true);
    } catch (MessagingException e) {
      throw new IllegalArgumentException("billing.mail.from: " + e.getMessage(), e);
    }
  }

  void send(Notification mail) throws MessagingException {
    MimeMessage message = new MimeMessage(session);
    message.setFrom(from);
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(mail.recipient(), true));
    message.setSubject(mail.subject(), StandardCharsets.UTF_8.name());
    message.setText(mail.body(), StandardCharsets.UTF_8.name());
    message.setSentDate(new Date());
    // Lets a mail server or client recognise a resend after a crash between send and record.
    message.setHeader("X-OpenClaw-Notification", mail.id().toString());
    Transport.send(message);
  }
}
