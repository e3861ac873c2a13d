package cloud.openclaw.billing;

import static cloud.openclaw.billing.BillingStack.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.proxy.limits.UsageWarnings;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.ChatEntry;
import cloud.openclaw.sandbox.telegram.TelegramStandIn;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import io.helidon.dbclient.DbRow;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The platform's notices in the owner's own Telegram chat, through their own bot on the sandbox's
 * Telegram: 80% and 100% of the allowance (real requests through the proxy), a failed payment, the
 * suspension and the reactivation, each once and in the owner's chat; a revoked bot is given up on.
 */
class ChatNoticesIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final Duration GRACE = Duration.ofDays(2);
  static final Duration FINALIZE = Duration.ofHours(1);
  static final AtomicLong OWNERS = new AtomicLong(880_000_000L);
  static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  static BillingStack stack;
  static TelegramStandIn telegram;

  @BeforeAll
  static void start() {
    stack =
        new BillingStack(
            postgres,
            testRedis,
            Map.of("sandbox.stripe.finalize-delay", "PT1H"),
            Map.of("billing.grace-period", GRACE.toString()));
    telegram = stack.sandbox.telegram();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @AfterEach
  void deliverWhatIsHeld() {
    stack.stripe.release(false);
  }

  static List<String> botTexts(Bot bot, long chat) {
    return telegram.botMessages(bot.id(), chat).stream().map(ChatEntry::text).toList();
  }

  static long containing(Bot bot, long chat, String part) {
    return botTexts(bot, chat).stream().filter(text -> text.contains(part)).count();
  }

  @Test
  void aFailedPaymentTheSuspensionAndTheReactivationReachTheOwnersChatOnceEach() throws Exception {
    Bot bot = telegram.createBot(null);
    long owner = OWNERS.incrementAndGet();
    Customer customer = stack.pendingCustomerWithBot(bot, owner);
    String sub = stack.subscribe(customer);
    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.ACTIVE);
    stack.awaitAllProcessed();
    Instant end = stack.subscription(sub).currentPeriodEnd();

    stack.stripe.failPayment(sub);
    advanceTo(end.plus(FINALIZE));
    stack.awaitAllProcessed();
    awaitOne(bot, owner, customer, "could not take");
    assertThat(containing(bot, owner, "could not take")).isEqualTo(1).as("the link to settle it");
    assertThat(botTexts(bot, owner).getFirst()).contains(dashboard());

    advanceTo(end.plus(FINALIZE).plus(GRACE));
    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.SUSPENDED);
    awaitOne(bot, owner, customer, "is paused");

    stack.stripe.fixPayment(sub);
    advanceTo(end.plus(FINALIZE).plus(Duration.ofDays(3)));
    stack.awaitAllProcessed();
    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.ACTIVE);
    awaitOne(bot, owner, customer, "running again");

    // Once each, whatever Stripe redelivers, and in the owner's chat only (not user 42's).
    stack.stripe.events().forEach(event -> stack.stripe.redeliver(event.id(), 1));
    stack.awaitAllProcessed();
    await().atMost(WAIT).until(() -> pending(customer) == 0);
    assertThat(botTexts(bot, owner)).hasSize(3);
    assertThat(telegram.chats(bot.id())).containsExactly(owner);
  }

  @Test
  void eightyAndOneHundredPercentOfTheAllowanceAreToldOnceWithTheRenewalDate() throws Exception {
    Bot bot = telegram.createBot(null);
    // No Telegram user linked: the owner's chat is the first allowed user's (42).
    Customer customer = stack.pendingCustomerWithBot(bot, null);
    String sub = stack.subscribe(customer);
    await().atMost(WAIT).until(() -> stack.status(customer) == CustomerStatus.ACTIVE);
    stack.awaitAllProcessed();
    Box box = stack.box(customer);
    String token = stack.proxy.issueToken(box.id()).token();

    long perRequest = answered(token);
    await().atMost(WAIT).until(() -> stack.proxy.usage(customer.id()).used() == perRequest);
    // One request is under 80%, two are over it, three use the allowance up.
    stack.proxy.changeAllowance(customer.id(), perRequest * 2 + perRequest / 5);
    answered(token);
    await().atMost(WAIT).until(() -> containing(bot, 42, "80%") == 1);
    answered(token);
    await().atMost(WAIT).until(() -> containing(bot, 42, "used all of") == 1);
    assertThat(chat(token).statusCode()).isEqualTo(429);

    String renews = DAY.format(stack.subscription(sub).currentPeriodEnd());
    assertThat(botTexts(bot, 42))
        .hasSize(2)
        .allSatisfy(text -> assertThat(text).contains("renews on " + renews).contains(dashboard()));
    assertThat(botTexts(bot, 42).get(1)).contains("cannot answer you");
  }

  @Test
  void aRevokedBotIsGivenUpOnceWithTheReasonAndNotRetried() {
    Bot bot = telegram.createBot(null);
    long owner = OWNERS.incrementAndGet();
    Customer customer = stack.pendingCustomerWithBot(bot, owner);
    telegram.revoke(bot.id(), true);

    new UsageWarnings(stack.redis, new EventBus(stack.redis))
        .crossed(customer.id(), Instant.parse("2026-11-01T00:00:00Z"), 80);

    await().atMost(WAIT).until(() -> "dead".equals(telegramNotice(customer, "status")));
    assertThat(telegramNotice(customer, "last_error")).contains("401").contains("revoked");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> "1".equals(telegramNotice(customer, "attempts")));
    assertThat(telegram.chats(bot.id())).isEmpty();
    // The mail went out all the same.
    await().atMost(WAIT).until(() -> stack.mailsTo(customer, "80%") == 1);
  }

  /** Waits for one message containing {@code part}; says what the outbox holds if none comes. */
  static void awaitOne(Bot bot, long chat, Customer customer, String part) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(containing(bot, chat, part))
                    .as("chat %s, outbox %s", botTexts(bot, chat), outbox(customer))
                    .isEqualTo(1));
  }

  static List<String> outbox(Customer customer) {
    try (Stream<DbRow> rows =
        stack
            .database
            .execute()
            .query(
                "SELECT concat_ws(' ', channel, kind, status, last_error, dedupe_key) AS d"
                    + " FROM notifications"
                    + " WHERE customer_id = ? ORDER BY created_at",
                customer.id())) {
      return rows.map(row -> row.column("d").getString()).toList();
    }
  }

  static String dashboard() {
    return "http://localhost:8080/";
  }

  static void advanceTo(Instant at) {
    stack.clock.advanceTo(at);
    stack.stripe.runDue();
  }

  static long pending(Customer customer) {
    return stack.count(
        "SELECT count(*) FROM notifications WHERE customer_id = ? AND channel = 'telegram'"
            + " AND status = 'pending'",
        customer.id());
  }

  static String telegramNotice(Customer customer, String column) {
    DbRow row =
        stack
            .database
            .execute()
            .get(
                "SELECT status, last_error, attempts::text AS attempts FROM notifications"
                    + " WHERE customer_id = ? AND channel = 'telegram'",
                customer.id())
            .orElse(null);
    return row == null ? null : row.column(column).getString();
  }

  static HttpResponse<String> chat(String token) throws Exception {
    String body =
        Json.write(
            Map.of(
                "model",
                "kimi-k2.6",
                "messages",
                List.of(Map.of("role", "user", "content", "hello")),
                "max_completion_tokens",
                64));
    return BillingStack.HTTP.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + stack.proxyService.port() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A request admitted and answered; the tokens it used. */
  static long answered(String token) throws Exception {
    HttpResponse<String> response = chat(token);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body()).path("usage").path("total_tokens").asLong();
  }
}
