package cloud.openclaw.sandbox;

import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.http.ServiceMain;
import cloud.openclaw.sandbox.kimi.KimiSettings;
import cloud.openclaw.sandbox.kimi.KimiStandIn;
import cloud.openclaw.sandbox.mail.MailCatcher;
import cloud.openclaw.sandbox.s3.S3Server;
import cloud.openclaw.sandbox.s3.S3Settings;
import cloud.openclaw.sandbox.s3.S3StandIn;
import cloud.openclaw.sandbox.stripe.StripeSandboxSettings;
import cloud.openclaw.sandbox.stripe.StripeStandIn;
import cloud.openclaw.sandbox.stripe.StripeStateFile;
import cloud.openclaw.sandbox.telegram.TelegramSettings;
import cloud.openclaw.sandbox.telegram.TelegramStandIn;
import io.helidon.config.Config;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The sandbox: stand-ins for the outside services the platform talks to, so that dev mode and tests
 * run with no account anywhere. Production code reaches them only through a different base URL:
 * Kimi at {@code /kimi/v1} ({@link KimiStandIn}), the Telegram Bot API at {@code /telegram} ({@link
 * TelegramStandIn}), Stripe at {@code /stripe} ({@link StripeStandIn}); an SMTP server catches mail
 * and lists it at {@code /mail} ({@link MailCatcher}). With {@code sandbox.s3.port} set,
 * S3-compatible object storage ({@link S3StandIn}) answers on a listener of its own, since
 * path-style S3 addresses begin at the root. With {@code sandbox.state-dir} set (dev mode)
 * Telegram, Stripe and the caught mail keep their state there, so a restart changes nothing (S3
 * objects live in memory).
 */
public final class Main {
  static final String SERVICE = "sandbox";

  /** The stand-ins served, by name. */
  static final List<String> STAND_INS = List.of("kimi", "telegram", "stripe", "mail");

  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SERVICE, Main::start);
  }

  /** Serves on {@code sandbox.host:sandbox.port}; needs neither PostgreSQL nor Redis. */
  public static RunningService start(Config config) {
    return startSandbox(config).service();
  }

  /** Like {@link #start}, and hands back the stand-ins, so in-JVM tests can steer them directly. */
  public static Sandbox startSandbox(Config config) {
    return startSandbox(config, Clock.systemUTC());
  }

  /**
   * Like {@link #startSandbox(Config)}, the Stripe stand-in's time (periods, invoices, events) told
   * by {@code clock}: a test moves it, and the services it runs with tell the time by it too.
   */
  public static Sandbox startSandbox(Config config, Clock clock) {
    Settings settings = new Settings(config);
    ServerSettings server = ServerSettings.from(settings, SERVICE);
    StateDir state = stateDir(settings);
    KimiStandIn kimi = new KimiStandIn(KimiSettings.from(settings));
    TelegramStandIn telegram =
        new TelegramStandIn(
            TelegramSettings.from(settings), state == null ? null : state.child("telegram"));
    StripeStandIn stripe =
        new StripeStandIn(
            StripeSandboxSettings.from(settings),
            clock,
            state == null ? null : new StripeStateFile(state.child("stripe")));
    MailCatcher mail =
        new MailCatcher(
            settings.string("sandbox.smtp.host"),
            settings.port("sandbox.smtp.port"),
            state == null ? null : state.child("mail"));
    S3Server s3 = null;
    try {
      String s3Port = settings.optionalString("sandbox.s3.port");
      if (!s3Port.isEmpty()) {
        s3 =
            S3Server.start(
                new S3StandIn(S3Settings.from(settings)),
                server.host(),
                settings.port("sandbox.s3.port"),
                null);
      }
      List<AutoCloseable> resources = new java.util.ArrayList<>(List.of(stripe, mail));
      if (s3 != null) {
        resources.add(s3);
      }
      RunningService service =
          HttpHost.start(
              SERVICE,
              server,
              List.of(),
              Metrics.registry(SERVICE),
              routing -> routing(routing, kimi, telegram, stripe, mail),
              resources);
      return new Sandbox(service, kimi, telegram, stripe, mail, s3);
    } catch (RuntimeException e) {
      stripe.close();
      mail.close();
      if (s3 != null) {
        s3.close();
      }
      throw e;
    }
  }

  /** Where the stand-ins keep their state ({@code sandbox.state-dir}); null: in memory only. */
  private static StateDir stateDir(Settings settings) {
    String dir = settings.optionalString("sandbox.state-dir");
    return dir.isBlank() ? null : new StateDir(Path.of(dir));
  }

  static void routing(
      HttpRouting.Builder routing,
      KimiStandIn kimi,
      TelegramStandIn telegram,
      StripeStandIn stripe,
      MailCatcher mail) {
    routing.get(
        "/",
        (request, response) -> Json.send(response, Status.OK_200, new Index(SERVICE, STAND_INS)));
    routing.register(KimiStandIn.MOUNT, kimi);
    routing.register(TelegramStandIn.MOUNT, telegram);
    routing.register(StripeStandIn.MOUNT, stripe);
    routing.register(MailCatcher.MOUNT, mail);
  }

  /**
   * A started sandbox and its stand-ins; closing it stops the server. {@code s3} is null unless
   * {@code sandbox.s3.port} is set.
   */
  public record Sandbox(
      RunningService service,
      KimiStandIn kimi,
      TelegramStandIn telegram,
      StripeStandIn stripe,
      MailCatcher mail,
      S3Server s3)
      implements AutoCloseable {
    public int port() {
      return service.port();
    }

    @Override
    public void close() {
      service.close();
    }
  }

  /** What GET / answers: which stand-ins this sandbox serves. */
  record Index(String service, List<String> standIns) {}
}
