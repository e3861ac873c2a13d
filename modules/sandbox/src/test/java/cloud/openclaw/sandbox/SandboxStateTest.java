package cloud.openclaw.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.billing.StripeSettings;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.sandbox.mail.MailCatcher;
import cloud.openclaw.sandbox.stripe.StripeEventRecord;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.ChatEntry;
import cloud.openclaw.sandbox.telegram.User;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox with {@code sandbox.state-dir} (dev mode): a second sandbox on the same directory
 * starts where the first stopped, so a restart of dev mode changes nothing a person or an agent
 * sees. Without it, the state is in memory (tests).
 */
class SandboxStateTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final User ADA = User.of(5151, "Ada");
  private static final Plan STARTER =
      new Plan("starter", "price_starter", 1000, 10, List.of("kimi-k2.6"), List.of("off"));

  @TempDir Path dir;

  private Main.Sandbox start() {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("sandbox.port", "0");
    overrides.put("sandbox.host", "127.0.0.1");
    overrides.put("sandbox.smtp.port", "0");
    overrides.put("sandbox.state-dir", dir.toString());
    return Main.startSandbox(ConfigLoader.load("sandbox", Map.of(), overrides));
  }

  @Test
  void telegramBotsUpdatesNotYetReadTheUpdateIdCounterAndChatsOutliveARestart() throws Exception {
    Bot bot;
    long read;
    long unread;
    try (Main.Sandbox first = start()) {
      bot = first.telegram().createBot("kept_bot");
      read = first.telegram().sendAsUser(bot.id(), ADA, "hello").updateId();
      // the agent reads it (confirms it with the next offset) and answers
      JsonNode batch = call(first, bot.token(), "getUpdates?timeout=0");
      assertThat(batch.path(0).path("update_id").asLong()).isEqualTo(read);
      call(first, bot.token(), "getUpdates?timeout=0&offset=" + (read + 1));
      call(first, bot.token(), "sendMessage?chat_id=" + ADA.id() + "&text=hi%20Ada");
      unread = first.telegram().sendAsUser(bot.id(), ADA, "are you there?").updateId();
    }

    try (Main.Sandbox second = start()) {
      assertThat(call(second, bot.token(), "getMe").path("username").asText())
          .as("the same token works")
          .isEqualTo("kept_bot");
      JsonNode pending = call(second, bot.token(), "getUpdates?timeout=0");
      assertThat(pending).as("only the update not yet read").hasSize(1);
      assertThat(pending.path(0).path("update_id").asLong()).isEqualTo(unread);
      assertThat(pending.path(0).path("message").path("text").asText()).isEqualTo("are you there?");
      long next = second.telegram().sendAsUser(bot.id(), ADA, "again").updateId();
      assertThat(next).as("update ids never go back").isGreaterThan(unread);
      assertThat(second.telegram().chat(bot.id(), ADA.id()))
          .extracting(ChatEntry::text)
          .containsExactly("hello", "hi Ada", "are you there?", "again");
      second.telegram().revoke(bot.id(), true);
    }

    try (Main.Sandbox third = start()) {
      assertThat(status(third, bot.token(), "getMe"))
          .as("a revoked token stays revoked")
          .isEqualTo(401);
      third.telegram().revoke(bot.id(), false);
      assertThat(status(third, bot.token(), "getMe")).isEqualTo(200);
      assertThat(third.telegram().createBot(null).id())
          .as("new bots get new ids")
          .isNotEqualTo(bot.id());
    }
  }

  @Test
  void managedBotsTheirReplacedTokensKeyboardsAndButtonPressesOutliveARestart() throws Exception {
    Bot setup;
    Bot managed;
    String replaced;
    String keyboard =
        "{\"keyboard\":[[{\"text\":\"Create\",\"request_managed_bot\":{\"request_id\":5}}],"
            + "[\"Later\"]]}";
    String inline = "{\"inline_keyboard\":[[{\"text\":\"Pro\",\"callback_data\":\"pro\"}]]}";
    try (Main.Sandbox first = start()) {
      setup = first.telegram().createBot("kept_setup_bot");
      call(
          first,
          setup.token(),
          "sendMessage?chat_id=" + ADA.id() + "&text=plan&reply_markup=" + enc(inline));
      String queryId = first.telegram().pressInlineButton(setup.id(), ADA, null, "pro").id();
      call(first, setup.token(), "answerCallbackQuery?callback_query_id=" + queryId + "&text=ok");
      call(
          first,
          setup.token(),
          "sendMessage?chat_id=" + ADA.id() + "&text=bot&reply_markup=" + enc(keyboard));
      managed = first.telegram().createManagedBot(setup.id(), ADA, 5);
      String token = managed.token();
      replaced =
          call(first, setup.token(), "replaceManagedBotToken?user_id=" + managed.id()).asText();
      assertThat(replaced).isNotEqualTo(token);
    }

    try (Main.Sandbox second = start()) {
      assertThat(status(second, managed.token(), "getMe"))
          .as("the old token stays refused")
          .isEqualTo(401);
      assertThat(call(second, replaced, "getMe").path("id").asLong()).isEqualTo(managed.id());
      assertThat(call(second, setup.token(), "getManagedBotToken?user_id=" + managed.id()).asText())
          .as("its manager still manages it")
          .isEqualTo(replaced);
      assertThat(second.telegram().stats(managed.id()).ownerId()).isEqualTo(ADA.id());
      assertThat(second.telegram().replyKeyboard(setup.id(), ADA.id()))
          .contains(Json.MAPPER.readTree(keyboard));
      assertThat(second.telegram().pressButton(setup.id(), ADA, "Later").text()).isEqualTo("Later");
      List<ChatEntry> chat = second.telegram().chat(setup.id(), ADA.id());
      assertThat(chat.get(0).replyMarkup()).isEqualTo(Json.MAPPER.readTree(inline));
      assertThat(chat.get(1).callbackData()).isEqualTo("pro");
      assertThat(chat.get(1).callbackAnswer()).isEqualTo("ok");
      assertThat(chat.get(3).managedBotCreated().path("bot").path("id").asLong())
          .isEqualTo(managed.id());
    }
  }

  private static String enc(String json) {
    return URLEncoder.encode(json, StandardCharsets.UTF_8);
  }

  @Test
  void stripeCustomersSubscriptionsAndEventsOutliveARestart() throws Exception {
    String stripeCustomer;
    String subscription;
    List<StripeEventRecord> events;
    try (Main.Sandbox first = start()) {
      StripeBilling billing = billing(first);
      stripeCustomer = billing.createCustomer(UUID.randomUUID(), "kept@example.com");
      StripeBilling.Checkout checkout =
          billing.createCheckout(
              UUID.randomUUID(), stripeCustomer, STARTER, "http://app/ok", "http://app/cancel");
      subscription = first.stripe().pay(checkout.sessionId());
      events = first.stripe().events();
      assertThat(events)
          .extracting(StripeEventRecord::type)
          .contains("customer.subscription.created", "invoice.paid", "checkout.session.completed");
    }

    try (Main.Sandbox second = start()) {
      StripeBilling billing = billing(second);
      // the billing portal of a customer made before the restart (was: 404 "No such customer")
      String portal = billing.portalUrl(stripeCustomer, "http://app/");
      HttpResponse<String> page =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(portal)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.body()).contains(subscription).contains("price_starter");
      assertThat(billing.subscription(subscription).status()).isEqualTo("active");
      assertThat(second.stripe().events()).isEqualTo(events);

      // the events not delivered before the restart are delivered after it, to the new endpoint
      List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
      io.helidon.webserver.WebServer endpoint =
          io.helidon.webserver.WebServer.builder()
              .host("127.0.0.1")
              .port(0)
              .routing(
                  routing ->
                      routing.post(
                          "/hook",
                          (req, res) -> {
                            received.add(
                                Json.MAPPER
                                    .readTree(req.content().as(String.class))
                                    .path("id")
                                    .asText());
                            res.send("ok");
                          }))
              .build()
              .start();
      try {
        second.stripe().webhook("http://127.0.0.1:" + endpoint.port() + "/hook", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == events.size());
        assertThat(received)
            .containsExactlyInAnyOrderElementsOf(
                events.stream().map(StripeEventRecord::id).toList());
        second.stripe().cancel(subscription);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == events.size() + 1);
      } finally {
        endpoint.stop();
      }
    }

    try (Main.Sandbox third = start()) {
      assertThat(billing(third).subscription(subscription).status()).isEqualTo("canceled");
      assertThat(third.stripe().events())
          .allSatisfy(event -> assertThat(third.stripe().deliveries(event.id())).isEqualTo(1));
    }
  }

  @Test
  void caughtMailOutlivesARestart() throws Exception {
    try (Main.Sandbox first = start()) {
      send(first.mail(), "first@example.com", "Before the restart");
    }
    try (Main.Sandbox second = start()) {
      send(second.mail(), "second@example.com", "After the restart");
      assertThat(second.mail().messages())
          .extracting(MailCatcher.CaughtMail::subject)
          .containsExactly("Before the restart", "After the restart");
      assertThat(second.mail().messages().getFirst().body()).contains("Before the restart body");
    }
  }

  @Test
  void aWriteCutShortLeavesTheLastWholeState() throws Exception {
    StateDir state = new StateDir(dir.resolve("s"));
    state.writeJson("thing.json", Map.of("version", 1));
    // what a writer killed mid-write leaves: a partial temporary file; the state is the old one
    Files.writeString(
        dir.resolve("s").resolve(".tmp-" + UUID.randomUUID()), "{\"version\": 2, \"ha");

    StateDir reopened = new StateDir(dir.resolve("s"));
    assertThat(reopened.readJson("thing.json", Map.class)).contains(Map.of("version", 1));
    assertThat(reopened.files(""))
        .extracting(Path::getFileName)
        .map(Path::toString)
        .containsExactly("thing.json");
  }

  @Test
  void withoutAStateDirNothingIsWritten() throws Exception {
    Map<String, String> overrides =
        Map.of("sandbox.port", "0", "sandbox.host", "127.0.0.1", "sandbox.smtp.port", "0");
    try (Main.Sandbox memory =
        Main.startSandbox(ConfigLoader.load("sandbox", Map.of(), overrides))) {
      Bot bot = memory.telegram().createBot(null);
      memory.telegram().sendAsUser(bot.id(), ADA, "hello");
    }
    try (Main.Sandbox memory =
        Main.startSandbox(ConfigLoader.load("sandbox", Map.of(), overrides))) {
      assertThat(memory.telegram().bots()).isEmpty();
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private static StripeBilling billing(Main.Sandbox sandbox) {
    return new StripeBilling(
        new StripeSettings("sk_test_any", "http://127.0.0.1:" + sandbox.port() + "/stripe"));
  }

  private static JsonNode call(Main.Sandbox sandbox, String token, String method) throws Exception {
    HttpResponse<String> response = get(sandbox, token, method);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body()).path("result");
  }

  private static int status(Main.Sandbox sandbox, String token, String method) throws Exception {
    return get(sandbox, token, method).statusCode();
  }

  private static HttpResponse<String> get(Main.Sandbox sandbox, String token, String method)
      throws Exception {
    URI uri =
        URI.create("http://127.0.0.1:" + sandbox.port() + "/telegram/bot" + token + "/" + method);
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void send(MailCatcher catcher, String to, String subject) throws Exception {
    Properties properties = new Properties();
    properties.put("mail.smtp.host", "127.0.0.1");
    properties.put("mail.smtp.port", Integer.toString(catcher.port()));
    MimeMessage message = new MimeMessage(Session.getInstance(properties));
    message.setFrom(new InternetAddress("platform@example.com"));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
    message.setSubject(subject);
    message.setText(subject + " body");
    Transport.send(message);
  }
}
