package cloud.openclaw.sandbox.mail;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.smtp.SmtpManager;
import com.icegreen.greenmail.smtp.SmtpState;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.util.Map;
import java.util.function.Consumer;

/**
 * GreenMail that hands each mail to {@code keep} as the SMTP server takes it, before it delivers it
 * to its mailboxes and before it answers the client: a mail the sender was told was taken has been
 * kept. (GreenMail's SMTP handlers ask {@link Managers#getSmtpManager()} for the manager that takes
 * a message; this one keeps it, then delivers it as GreenMail's own does.)
 */
final class KeepingGreenMail extends GreenMail {
  private final Consumer<MimeMessage> keep;

  KeepingGreenMail(ServerSetup setup, Consumer<MimeMessage> keep) {
    super(setup);
    this.keep = keep;
  }

  @Override
  protected Map<String, AbstractServer> createServices(ServerSetup[] config, Managers managers) {
    SmtpManager keeping =
        new SmtpManager(managers.getImapHostManager(), managers.getUserManager()) {
          @Override
          public synchronized void send(SmtpState state) {
            keep.accept(state.getMessage().getMessage());
            super.send(state);
          }
        };
    Managers wrapped =
        new Managers() {
          @Override
          public SmtpManager getSmtpManager() {
            return keeping;
          }

          @Override
          public com.icegreen.greenmail.user.UserManager getUserManager() {
            return managers.getUserManager();
          }

          @Override
          public com.icegreen.greenmail.imap.ImapHostManager getImapHostManager() {
            return managers.getImapHostManager();
          }
        };
    return super.createServices(config, wrapped);
  }
}
