package cloud.openclaw.sandbox.mail;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.sandbox.StateDir;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The SMTP catcher: a real SMTP server (GreenMail) on {@code sandbox.smtp.host:port} that accepts
 * any mail to anyone and keeps it, and at {@value #MOUNT} a page listing what it caught ({@code GET
 * /mail}) and the same as JSON ({@code GET /mail/messages}).
 *
 * <p>Given a {@link StateDir} ({@code sandbox.state-dir}), each mail is also written there as it
 * arrives ({@code mail-<n>.eml}, before the SMTP server answers that it took it), and the mail of
 * earlier runs is listed first.
 */
public final class MailCatcher implements HttpService, AutoCloseable {
  public static final String MOUNT = "/mail";

  private static final String MAIL_FILE = "mail-";

  /**
   * GreenMail says at INFO, for every new recipient, that it made a login named after the address
   * (with the address as its password): a line per email, which the platform's logs never hold.
   * Held here: a logger nobody references may be collected, and its level with it.
   */
  private static final Logger GREENMAIL = quiet(Logger.getLogger("com.icegreen.greenmail"));

  private static Logger quiet(Logger logger) {
    logger.setLevel(Level.WARNING);
    return logger;
  }

  private final GreenMail server;
  private final StateDir saved;
  private final List<CaughtMail> earlier = new ArrayList<>();
  private final AtomicLong next = new AtomicLong(1);

  /** Listens on {@code port}, or on a free port when that one is taken (or 0). */
  public MailCatcher(String host, int port) {
    this(host, port, null);
  }

  /** As {@link #MailCatcher(String, int)}, keeping the mail in {@code state} (null: in memory). */
  public MailCatcher(String host, int port, StateDir state) {
    this.saved = state;
    ServerSetup setup = new ServerSetup(usablePort(host, port), host, ServerSetup.PROTOCOL_SMTP);
    if (state == null) {
      this.server = new GreenMail(setup);
    } else {
      for (Path file : state.files(MAIL_FILE)) {
        state.read(file).ifPresent(bytes -> earlier.add(caught(parse(bytes))));
        next.incrementAndGet();
      }
      this.server = new KeepingGreenMail(setup, this::keep);
    }
    server.start();
  }

  /** Writes a mail as it arrives, named so that the files sort in arrival order. */
  private void keep(MimeMessage message) {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try {
      message.writeTo(raw);
    } catch (IOException | MessagingException e) {
      throw new IllegalStateException("cannot keep a caught mail", e);
    }
    saved.write(
        String.format(Locale.ROOT, "%s%08d.eml", MAIL_FILE, next.getAndIncrement()),
        raw.toByteArray());
  }

  private static MimeMessage parse(byte[] raw) {
    try {
      return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
    } catch (MessagingException e) {
      throw new IllegalStateException("a kept mail is not readable", e);
    }
  }

  private static int usablePort(String host, int port) {
    if (port != 0) {
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(host))) {
        return port;
      } catch (IOException taken) {
        // Another sandbox (a parallel test run) has it: any free port does for a catcher.
      }
    }
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return free.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no port for the SMTP catcher on " + host, e);
    }
  }

  /** The port the SMTP server listens on (useful when configured as 0). */
  public int port() {
    return server.getSmtp().getPort();
  }

  /** A caught mail: sender, recipients, subject and text. */
  public record CaughtMail(String from, List<String> to, String subject, String body) {}

  /** What was caught, oldest first (the mail of earlier runs first, when it is kept). */
  public List<CaughtMail> messages() {
    List<CaughtMail> caught = new ArrayList<>(earlier);
    for (MimeMessage message : server.getReceivedMessages()) {
      caught.add(caught(message));
    }
    return caught;
  }

  private static CaughtMail caught(MimeMessage message) {
    try {
      return new CaughtMail(
          addresses(message.getFrom()).stream().findFirst().orElse(""),
          addresses(message.getAllRecipients()),
          message.getSubject(),
          GreenMailUtil.getBody(message));
    } catch (MessagingException e) {
      return new CaughtMail("", List.of(), "(unreadable: " + e.getMessage() + ")", "");
    }
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .get(
            "/messages",
            (req, res) -> Json.send(res, Status.OK_200, Map.of("messages", messages())))
        .get("/", this::page);
  }

  private void page(ServerRequest request, ServerResponse response) {
    StringBuilder html =
        new StringBuilder(
            "<!doctype html><html><head><meta charset=utf-8><title>Sandbox mail</title>"
                + "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
                + "pre{white-space:pre-wrap;background:#f4f4f4;padding:.5em}</style></head><body>"
                + "<h1>Mail caught by the sandbox (SMTP port "
                + port()
                + ")</h1>");
    List<CaughtMail> messages = messages();
    if (messages.isEmpty()) {
      html.append("<p>No mail yet.</p>");
    }
    for (CaughtMail mail : messages.reversed()) {
      html.append("<div><h2>")
          .append(esc(mail.subject()))
          .append("</h2><p>From ")
          .append(esc(mail.from()))
          .append(" to ")
          .append(esc(String.join(", ", mail.to())))
          .append("</p><pre>")
          .append(esc(mail.body()))
          .append("</pre></div>");
    }
    response.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    response.send(html.append("</body></html>").toString());
  }

  private static List<String> addresses(Address[] addresses) {
    return addresses == null ? List.of() : Arrays.stream(addresses).map(Address::toString).toList();
  }

  private static String esc(String text) {
    return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public void close() {
    server.stop();
  }
}
