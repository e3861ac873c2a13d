package cloud.openclaw.platform.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.sandbox.Main;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.TelegramStandIn;
import cloud.openclaw.sandbox.telegram.User;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The owner of a pasted bot token proves it by opening the deep link; the proof reads the bot's own
 * updates on the sandbox's stand-in (here because the platform cannot depend on the sandbox).
 */
class OwnerProofTest {
  private static final AtomicLong PEOPLE = new AtomicLong(9000);

  private static Main.Sandbox sandbox;
  private static TelegramStandIn telegram;
  private static TelegramBots bots;
  private static OwnerProof proof;

  @BeforeAll
  static void start() {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("sandbox.port", "0");
    overrides.put("sandbox.host", "127.0.0.1");
    sandbox = Main.startSandbox(ConfigLoader.load("sandbox", Map.of(), overrides));
    telegram = sandbox.telegram();
    bots = new TelegramBots(URI.create("http://127.0.0.1:" + sandbox.port() + "/telegram"));
    proof = new OwnerProof(bots);
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private static User newPerson(String name) {
    return new User(PEOPLE.incrementAndGet(), name, null);
  }

  @Test
  void onlyTheStartMessageWithTheNonceProvesTheOwnerNotTheFirstSender() {
    Bot bot = telegram.createBot(null);
    User stranger = newPerson("Mallory");
    User owner = newPerson("Ada");
    String nonce = proof.newNonce();
    telegram.sendAsUser(bot.id(), stranger, "hi, I'm the owner");
    telegram.openDeepLink(bot.id(), stranger, "guessed-nonce");
    telegram.sendAsUser(bot.id(), stranger, "/start");
    telegram.sendAsUser(bot.id(), stranger, "/start " + nonce + "x");
    telegram.openLink(owner, OwnerProof.deepLink(bot.username(), nonce));
    telegram.sendAsUser(bot.id(), owner, "hello agent");

    Optional<TelegramUser> found = proof.await(bot.token(), nonce, Duration.ofSeconds(5));
    assertThat(found).map(TelegramUser::id).contains(owner.id());
    assertThat(found.orElseThrow().firstName()).isEqualTo("Ada");
    // everything up to the proof is consumed; what came after is left for the gateway
    assertThat(telegram.stats(bot.id()).pending()).isEqualTo(1);
  }

  @Test
  void itWaitsForThePersonToOpenTheLink() throws Exception {
    Bot bot = telegram.createBot(null);
    User owner = newPerson("Grace");
    String nonce = proof.newNonce();
    CompletableFuture<Optional<TelegramUser>> waiting =
        CompletableFuture.supplyAsync(
            () -> proof.await(bot.token(), nonce, Duration.ofSeconds(30)));
    await().atMost(10, TimeUnit.SECONDS).until(() -> telegram.stats(bot.id()).polling());
    telegram.sendAsUser(bot.id(), newPerson("Eve"), "/start " + nonce.toLowerCase() + "0");
    telegram.openDeepLink(bot.id(), owner, nonce);
    assertThat(waiting.get(10, TimeUnit.SECONDS)).map(TelegramUser::id).contains(owner.id());
  }

  @Test
  void withoutTheNonceNothingIsProvedAndWhatWasReadIsConsumed() {
    Bot bot = telegram.createBot(null);
    telegram.sendAsUser(bot.id(), newPerson("Eve"), "/start not-the-nonce");
    assertThat(proof.await(bot.token(), proof.newNonce(), Duration.ofSeconds(1))).isEmpty();
    assertThat(telegram.stats(bot.id()).pending()).isZero();
  }

  @Test
  void aWebhookIsAConflictUntilItIsDeleted() throws Exception {
    Bot bot = telegram.createBot(null);
    User owner = newPerson("Radia");
    HttpResponse<String> set =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + sandbox.port()
                                + "/telegram/bot"
                                + bot.token()
                                + "/setWebhook?url=https://old.example/hook"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(set.statusCode()).isEqualTo(200);
    String nonce = proof.newNonce();
    telegram.openDeepLink(bot.id(), owner, nonce);
    assertThatThrownBy(() -> proof.await(bot.token(), nonce, Duration.ofSeconds(1)))
        .isInstanceOf(TelegramException.Conflict.class);
    bots.bot(bot.token()).deleteWebhook(false);
    assertThat(proof.await(bot.token(), nonce, Duration.ofSeconds(5)))
        .map(TelegramUser::id)
        .contains(owner.id());
  }

  @Test
  void aRefusedTokenOrABadNonceIsAnError() {
    Bot bot = telegram.createBot(null);
    telegram.revoke(bot.id(), true);
    assertThatThrownBy(() -> proof.await(bot.token(), proof.newNonce(), Duration.ofSeconds(1)))
        .isInstanceOf(TelegramException.TokenRefused.class);
    assertThatThrownBy(() -> proof.await(bot.token(), "has space", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(proof.newNonce()).matches("[A-Za-z0-9]{32}").isNotEqualTo(proof.newNonce());
    assertThat(OwnerProof.deepLink("ada_bot", "abc")).isEqualTo("https://t.me/ada_bot?start=abc");
  }
}
