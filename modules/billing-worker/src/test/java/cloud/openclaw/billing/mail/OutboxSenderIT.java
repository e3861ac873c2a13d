package cloud.openclaw.billing.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.billing.BillingMetrics;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.NewNotification;
import cloud.openclaw.platform.domain.Notification;
import cloud.openclaw.platform.domain.NotificationKind;
import cloud.openclaw.platform.jobs.Backoff;
import cloud.openclaw.platform.store.NotificationStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.testkit.TestPostgres;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The email outbox sender against a real SMTP server in the JVM (GreenMail): nothing lost while the
 * server is down, each mail sent once (also with several senders), dead after the last attempt.
 */
class OutboxSenderIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();

  static Database database;
  static NotificationStore notifications;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres, 8);
    notifications = new NotificationStore(database);
  }

  @AfterAll
  static void stop() {
    database.close();
  }

  static MailSettings settings(int port, int maxAttempts) {
    return new MailSettings(
        "127.0.0.1",
        port,
        "",
        "",
        false,
        "OpenClaw <no-reply@openclaw.test>",
        Duration.ofSeconds(5),
        Duration.ofMillis(100),
        Duration.ofSeconds(30),
        maxAttempts,
        new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)));
  }

  static GreenMail smtp(int port) {
    GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    return mail;
  }

  static UUID enqueue(NotificationKind kind, String body) {
    return notifications
        .enqueue(
            new NewNotification(
                null,
                kind,
                "p" + UUID.randomUUID().toString().substring(0, 8) + "@example.com",
                "Subject " + kind.dbValue(),
                body,
                kind.dbValue() + ":" + UUID.randomUUID()))
        .orElseThrow();
  }

  static Notification row(UUID id) {
    return notifications.find(database.execute(), id).orElseThrow();
  }

  static long pendingOrSentOf(List<UUID> ids, String status) {
    return ids.stream().filter(id -> row(id).status().equals(status)).count();
  }

  private static final BillingMetrics METRICS = new BillingMetrics(new SimpleMeterRegistry());

  @Test
  void aMailServerThatIsDownLosesNothingAndTheMailGoesOutOnceWhenItIsBack() throws Exception {
    int port = TestServices.freePort();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OutboxSender sender =
        new OutboxSender(database, settings(port, 50), new BillingMetrics(registry));
    UUID id = enqueue(NotificationKind.PAYMENT_FAILED, "Please update your card.");

    sender.drain();
    assertThat(registry.get("billing_emails_failed").counter().count()).isEqualTo(1);
    assertThat(registry.get("billing_outbox_pending").gauge().value()).isGreaterThanOrEqualTo(1);
    Notification failed = row(id);
    assertThat(failed.status()).isEqualTo("pending");
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(failed.lastError()).isNotBlank();

    GreenMail smtp = smtp(port);
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                sender.drain();
                return row(id).status().equals("sent");
              });
      sender.drain();
      sender.drain();

      MimeMessage[] received = smtp.getReceivedMessages();
      List<MimeMessage> ours =
          Arrays.stream(received).filter(m -> header(m).equals(id.toString())).toList();
      assertThat(ours).hasSize(1);
      assertThat(ours.getFirst().getSubject()).isEqualTo("Subject payment_failed");
      assertThat(row(id).sentAt()).isNotNull();
      assertThat(row(id).lastError()).isNull();
      assertThat(row(id).body()).isEqualTo("Please update your card.");
    } finally {
      smtp.stop();
    }
  }

  @Test
  void aMailIsDeadAfterItsLastAttemptAndNotTriedAgain() throws Exception {
    OutboxSender sender = new OutboxSender(database, settings(TestServices.freePort(), 2), METRICS);
    UUID id = enqueue(NotificationKind.SUSPENDED, "paused");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              sender.drain();
              return row(id).status().equals("dead");
            });
    sender.drain();

    assertThat(row(id).attempts()).isEqualTo(2);
    assertThat(row(id).sentAt()).isNull();
  }

  @Test
  void aSignInLinkIsNotKeptOnceSent() throws Exception {
    int port = TestServices.freePort();
    GreenMail smtp = smtp(port);
    try {
      OutboxSender sender = new OutboxSender(database, settings(port, 5), METRICS);
      UUID id = enqueue(NotificationKind.SIGN_IN_LINK, "https://app/login?token=secret");

      sender.drain();

      assertThat(row(id).status()).isEqualTo("sent");
      assertThat(row(id).body()).isEmpty();
      assertThat(
              Arrays.stream(smtp.getReceivedMessages())
                  .filter(m -> header(m).equals(id.toString())))
          .hasSize(1);
    } finally {
      smtp.stop();
    }
  }

  @Test
  void severalSendersSendEachMailOnce() throws Exception {
    int port = TestServices.freePort();
    GreenMail smtp = smtp(port);
    try {
      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        ids.add(enqueue(NotificationKind.AGENT_LIVE, "live " + i));
      }
      List<Callable<Integer>> senders = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        OutboxSender sender = new OutboxSender(database, settings(port, 5), METRICS);
        senders.add(sender::drain);
      }
      try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        pool.invokeAll(senders);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> pendingOrSentOf(ids, "sent") == 40);

      Set<String> ours = ids.stream().map(UUID::toString).collect(Collectors.toSet());
      List<String> delivered =
          Arrays.stream(smtp.getReceivedMessages())
              .map(OutboxSenderIT::header)
              .filter(ours::contains)
              .toList();
      assertThat(delivered).hasSize(40).doesNotHaveDuplicates();
    } finally {
      smtp.stop();
    }
  }

  static String header(MimeMessage message) {
    try {
      String[] values = message.getHeader("X-OpenClaw-Notification");
      return values == null ? "" : values[0];
    } catch (jakarta.mail.MessagingException e) {
      return "";
    }
  }
}
