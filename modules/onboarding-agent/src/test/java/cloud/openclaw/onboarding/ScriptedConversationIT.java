package cloud.openclaw.onboarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.onboarding.conversation.ConversationState;
import cloud.openclaw.onboarding.conversation.Conversations;
import cloud.openclaw.onboarding.conversation.Input;
import cloud.openclaw.onboarding.conversation.OwnerProofs;
import cloud.openclaw.onboarding.conversation.Slot;
import cloud.openclaw.onboarding.conversation.Stage;
import cloud.openclaw.onboarding.progress.ProgressFollower;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.TooManyRequestsException;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The conversation without a model: the state machine and its fixed questions. */
class ScriptedConversationIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();
  static Harness harness;
  static Conversations conversations;
  static ProgressFollower follower;

  @BeforeAll
  static void start() {
    harness = new Harness(postgres, testRedis);
    conversations = harness.scripted();
    follower = harness.follower();
  }

  @AfterAll
  static void stop() {
    follower.close();
    harness.close();
  }

  static String email() {
    return "person-" + System.nanoTime() + "@example.com";
  }

  @Test
  void aWebSignUpTakesSevenQuestionsAndMailsTheLinkToOneCheckout() {
    Bot bot = harness.bot();
    String key = Harness.webKey();
    conversations.input(key, new Input.Start());
    assertThat(harness.lastMessage(key)).contains("What should your agent do");

    harness.say(conversations, key, "Answer my customers' questions about opening hours");
    assertThat(harness.lastMessage(key)).contains("BotFather");
    List<JsonNode> reply = harness.say(conversations, key, bot.token());
    ConversationState state = harness.state(key);
    assertThat(state.botUsername).isEqualTo(bot.username());
    assertThat(reply)
        .anySatisfy(
            e -> {
              assertThat(e.path("type").asText()).isEqualTo("owner_link");
              assertThat(e.path("url").asText())
                  .isEqualTo("https://t.me/" + bot.username() + "?start=" + state.ownerNonce);
            });
    // A proof with another nonce says nothing.
    conversations.input(key, new Input.OwnerProven(999L, "not-the-nonce"));
    assertThat(harness.state(key).ownerTelegramUserId).isNull();
    // An owner no other test of this class signs up with: the customer records them.
    conversations.input(key, new Input.OwnerProven(4343L, state.ownerNonce));
    assertThat(harness.state(key).ownerTelegramUserId).isEqualTo(4343L);
    assertThat(harness.lastMessage(key)).contains("anyone besides you");
    harness.say(conversations, key, "555000111 and 555000222");
    reply = harness.say(conversations, key, "pro");
    assertThat(reply).anySatisfy(e -> assertThat(e.path("type").asText()).isNotEmpty());
    assertThat(harness.lastMessage(key)).contains("email");
    harness.say(conversations, key, "Person@Example.com");
    assertThat(harness.lastMessage(key))
        .contains("@" + bot.username())
        .contains("person@example.com")
        .contains("pro")
        .contains("555000111")
        .doesNotContain(bot.token());

    reply = harness.say(conversations, key, "yes");

    assertThat(reply)
        .anySatisfy(
            e -> {
              assertThat(e.path("type").asText()).isEqualTo("check_email");
              assertThat(e.path("email").asText()).isEqualTo("person@example.com");
            });
    assertThat(harness.lastMessage(key)).contains("on its way to person@example.com");
    assertThat(harness.api.customer("person@example.com")).as("not before the link").isEmpty();
    ConversationState mailed = harness.state(key);
    assertThat(mailed.stage).isEqualTo(Stage.CHECKOUT);
    assertThat(mailed.questionsAsked).isBetween(5, 7);
    assertThat(mailed.attempt).isEqualTo(1);

    String checkout = harness.api.openSignupLink("person@example.com");

    assertThat(checkout).startsWith(harness.sandboxUrl() + "/stripe/checkout/cs_test_");
    Customer customer = harness.api.customer("person@example.com").orElseThrow();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> customer.id().toString().equals(harness.state(key).customerId));
    assertThat(harness.lastMessage(key)).contains("your email is confirmed");
    ConversationState done = harness.state(key);
    assertThat(customer.status()).isEqualTo(CustomerStatus.PENDING);
    assertThat(customer.plan()).isEqualTo("pro");
    assertThat(customer.telegramUserId()).isEqualTo(4343L);
    Box box = harness.api.box(customer);
    assertThat(done.boxId).isEqualTo(box.id().toString());
    assertThat(box.botId()).isEqualTo(bot.id());
    assertThat(harness.api.botToken(box)).isEqualTo(bot.token());
    assertThat(box.allowedTelegramUserIds()).containsExactly(4343L, 555000111L, 555000222L);
    assertThat(box.useCase()).isEqualTo("Answer my customers' questions about opening hours");
    assertThat(harness.api.checkouts(customer)).containsExactly(checkout.replaceAll(".*/", ""));
  }

  @Test
  void theOwnerProofWatchesThePastedBotAndMovesTheConversationOn() {
    Bot bot = harness.bot();
    List<String> watched = new ArrayList<>();
    Conversations proving =
        harness.conversations(
            null,
            1000,
            (token, nonce, proven) -> {
              watched.add(token + " " + nonce);
              proven.accept(31337L); // the person pressed Start in their bot at once
            });
    String key = Harness.webKey();
    proving.input(key, new Input.Start());
    harness.say(proving, key, "Track my runs and cheer me on every morning");

    harness.say(proving, key, bot.token());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Long.valueOf(31337L).equals(harness.state(key).ownerTelegramUserId));
    assertThat(watched).hasSize(1);
    assertThat(watched.getFirst()).startsWith(bot.token() + " ");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> harness.lastMessage(key).contains("anyone besides you"));
    assertThat(harness.state(key).ownerNonce).isNull();
  }

  @Test
  void inTelegramTheSenderIsTheOwnerAndTheBotCanBeCreatedWithAButton() {
    String key = Harness.telegramKey();
    conversations.input(key, new Input.Text("/start"));
    harness.say(conversations, key, "Keep my shopping list and remind me of birthdays");

    assertThat(harness.ofType(key, "managed_bot")).hasSize(1);
    conversations.input(key, new Input.BotToken(harness.bot().token()));

    ConversationState state = harness.state(key);
    assertThat(state.ownerTelegramUserId).isEqualTo(Long.parseLong(key.substring(3)));
    assertThat(harness.ofType(key, "owner_link")).isEmpty();
    assertThat(harness.lastMessage(key)).contains("anyone besides you");
  }

  @Test
  void severalAnswersInOneMessageAreAllTaken() {
    Bot bot = harness.bot();
    String key = Harness.telegramKey();
    conversations.input(key, new Input.Start());
    harness.say(conversations, key, "Summarise the news I forward to it every morning");

    harness.say(
        conversations,
        key,
        "here: " + bot.token() + " and the starter plan, mail me at a@b.example");

    ConversationState state = harness.state(key);
    assertThat(state.botId).isEqualTo(bot.id());
    assertThat(state.plan).isEqualTo("starter");
    assertThat(state.email).isEqualTo("a@b.example");
    // Only the question still open is asked: who else may talk to the agent.
    assertThat(harness.lastMessage(key)).contains("anyone besides you");
    harness.say(conversations, key, "just me");
    assertThat(harness.lastMessage(key)).contains("Shall I email you the link to pay?");
    assertThat(harness.state(key).questionsAsked).isLessThanOrEqualTo(5);
  }

  @Test
  void everySlotRefusesBadAnswersAndKeepsAsking() {
    String key = Harness.webKey();
    conversations.input(key, new Input.Start());

    harness.say(conversations, key, "help");
    assertThat(harness.state(key).useCase).isNull();
    assertThat(harness.lastMessage(key)).contains("a bit more");
    harness.say(conversations, key, "x".repeat(2001));
    assertThat(harness.state(key).useCase).isNull();
    assertThat(harness.lastMessage(key)).contains("2000");
    harness.say(conversations, key, "Book tables for my restaurant's guests");

    harness.say(conversations, key, "123456:not-a-real-token-but-long-enough-to-look-like-one");
    assertThat(harness.state(key).botId).isNull();
    assertThat(harness.lastMessage(key)).contains("Telegram does not accept");
    harness.say(conversations, key, "my token is abc");
    assertThat(harness.state(key).botId).isNull();
    Bot bot = harness.bot();
    harness.say(conversations, key, bot.token());
    conversations.input(key, new Input.OwnerProven(77L, harness.state(key).ownerNonce));

    harness.say(conversations, key, "0");
    assertThat(harness.state(key).allowedTelegramUserIds).isNull();
    harness.say(
        conversations,
        key,
        String.join(" ", LongStream.rangeClosed(100001, 100050).mapToObj(Long::toString).toList()));
    assertThat(harness.state(key).allowedTelegramUserIds).isNull();
    assertThat(harness.lastMessage(key)).contains("at most 49");
    harness.say(conversations, key, "no");
    assertThat(harness.state(key).allowedTelegramUserIds).isEmpty();

    harness.say(conversations, key, "enterprise");
    assertThat(harness.state(key).plan).isNull();
    harness.say(conversations, key, "plan: platinum");
    assertThat(harness.state(key).plan).isNull();
    assertThat(harness.lastMessage(key)).contains("starter").contains("pro");
    conversations.input(key, new Input.Choice("plan", "free"));
    assertThat(harness.state(key).plan).isNull();
    assertThat(harness.lastMessage(key)).contains("no plan 'free'");
    conversations.input(key, new Input.Choice("plan", "starter"));

    harness.say(conversations, key, "me at example dot com");
    assertThat(harness.state(key).email).isNull();
    conversations.input(key, new Input.Choice("email", "not an email"));
    assertThat(harness.state(key).email).isNull();
    harness.say(conversations, key, "a@b.example and c@d.example");
    assertThat(harness.state(key).email).isNull();
    assertThat(harness.lastMessage(key)).contains("several email addresses");
    harness.say(conversations, key, "a@b.example");

    harness.say(conversations, key, "hmm");
    assertThat(harness.state(key).stage).isEqualTo(Stage.COLLECTING);
    assertThat(harness.state(key).customerId).isNull();
    assertThat(harness.api.customer("a@b.example")).isEmpty();
  }

  @Test
  void badInputsAreRefusedBeforeTheyAreTaken() {
    assertThatThrownBy(() -> conversations.input("web:short", new Input.Start()))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> conversations.input("tg:-5", new Input.Start()))
        .isInstanceOf(InvalidInputException.class);
    String key = Harness.webKey();
    assertThatThrownBy(() -> conversations.input(key, new Input.Text(" ")))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> conversations.input(key, new Input.Text("x".repeat(4097))))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> conversations.input(key, new Input.Choice("price", "0")))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void goingBackAndChangingAnAnswer() {
    Bot bot = harness.bot();
    String key = harness.upToSummary(conversations, bot, email());
    assertThat(harness.lastMessage(key)).contains("Shall I email you the link to pay?");

    harness.say(conversations, key, "back");
    assertThat(harness.lastMessage(key)).contains("Which email address");
    harness.say(conversations, key, "back");
    assertThat(harness.lastMessage(key)).contains("Which plan");
    harness.say(conversations, key, "pro");
    // Answered again: on to the summary, the other answers kept.
    assertThat(harness.lastMessage(key)).contains("Shall I email you the link to pay?");
    assertThat(harness.state(key).plan).isEqualTo("pro");

    harness.say(conversations, key, "change my email");
    assertThat(harness.lastMessage(key)).contains("Which email address");
    harness.say(conversations, key, "new@example.org");
    assertThat(harness.state(key).email).isEqualTo("new@example.org");
    harness.say(conversations, key, "please change the email to other@example.org");
    assertThat(harness.state(key).email).isEqualTo("other@example.org");
    assertThat(harness.lastMessage(key)).contains("Shall I email you the link to pay?");
    conversations.input(key, new Input.Choice("confirm", "back"));
    assertThat(harness.lastMessage(key)).contains("Which email address");
  }

  @Test
  void plansQuestionsAreAnsweredFromThePlansConfiguration() {
    String key = Harness.webKey();
    conversations.input(key, new Input.Start());
    harness.say(conversations, key, "what do the plans cost?");

    assertThat(harness.lastMessage(key))
        .contains("starter: 19 EUR a month, 5,000,000 model tokens a month")
        .contains("pro: price shown at checkout, 25,000,000 model tokens a month")
        .contains("What should your agent do");
    assertThat(harness.state(key).useCase).isNull();
  }

  @Test
  void aReturningPersonResumesWhereTheyWereWithAnotherInstance() {
    Bot bot = harness.bot();
    String key = Harness.webKey();
    conversations.input(key, new Input.Start());
    harness.say(conversations, key, "Triage my support inbox every morning");
    harness.say(conversations, key, bot.token());

    Conversations restarted = harness.scripted();
    restarted.input(key, new Input.Start());

    assertThat(harness.lastMessage(key)).contains("Welcome back").contains("open the link");
    ConversationState state = harness.state(key);
    assertThat(state.useCase).isEqualTo("Triage my support inbox every morning");
    assertThat(state.botId).isEqualTo(bot.id());
  }

  @Test
  void theBotTokenIsNeverStoredInTheClear() {
    Bot bot = harness.bot();
    String key = harness.upToSummary(conversations, bot, email());

    for (String redisKey : harness.redis.client().keys(testRedis.prefix() + "*")) {
      String type = harness.redis.client().type(redisKey);
      String content =
          switch (type) {
            case "string" -> harness.redis.client().get(redisKey);
            case "stream" -> harness.redis.client().xrange(redisKey, "-", "+").toString();
            case "hash" -> harness.redis.client().hgetAll(redisKey).toString();
            default -> "";
          };
      assertThat(content)
          .as(redisKey)
          .doesNotContain(bot.token().substring(bot.token().indexOf(':')));
    }
    assertThat(harness.state(key).botTokenSealed).isNotBlank();
  }

  @Test
  void aRepeatedConfirmSignsUpOnceAndMailsOnce() throws Exception {
    Bot bot = harness.bot();
    String email = email();
    String key = harness.upToSummary(conversations, bot, email);
    Conversations other = harness.scripted();

    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<Callable<String>> confirms = new ArrayList<>();
    confirms.add(() -> conversations.input(key, new Input.Text("yes")));
    confirms.add(() -> other.input(key, new Input.Choice("confirm", "yes")));
    confirms.add(() -> conversations.input(key, new Input.Text("yes")));
    for (Future<String> done : pool.invokeAll(confirms)) {
      done.get();
    }
    pool.close();

    assertThat(harness.ofType(key, "check_email")).hasSize(3);
    assertThat(harness.api.signupLinks(email)).hasSize(1);
    harness.api.openSignupLink(email);
    Customer customer = harness.api.customer(email).orElseThrow();
    assertThat(harness.api.checkouts(customer)).hasSize(1);
  }

  /**
   * An email with an unpaid sign-up of another bot: the api answers as for any email and mails the
   * address; once its owner opens the newer link, it replaces the older sign-up and this
   * conversation follows it.
   */
  @Test
  void anEmailThatWaitsWithAnotherBotIsToldToCheckItsMailLikeAnyOther() {
    String email = email();
    String earlier = harness.upToSummary(conversations, harness.bot(), email);
    harness.say(conversations, earlier, "yes");
    harness.api.openSignupLink(email);
    Bot bot = harness.bot();
    String key = harness.upToSummary(conversations, bot, email);

    harness.say(conversations, key, "yes");

    assertThat(harness.lastMessage(key)).contains("on its way to " + email);
    assertThat(harness.state(key).stage).isEqualTo(Stage.CHECKOUT);
    harness.api.openSignupLink(email);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.state(key).customerId != null);
    Customer customer = harness.api.customer(email).orElseThrow();
    assertThat(harness.api.box(customer).botId()).isEqualTo(bot.id());
    assertThat(harness.state(key).boxId).isEqualTo(harness.api.box(customer).id().toString());
  }

  /** The link was used and its checkout closed (or the mail lost): a new link on request. */
  @Test
  void aNewLinkIsMailedOnRequest() {
    String email = email();
    String key = harness.upToSummary(conversations, harness.bot(), email);
    harness.say(conversations, key, "yes");
    harness.api.openSignupLink(email);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.state(key).customerId != null);
    harness.say(conversations, key, "yes");
    assertThat(harness.api.signupLinks(email)).as("a yes again mails nothing").hasSize(1);
    assertThat(harness.lastMessage(key)).contains("Say \"new link\"");

    harness.say(conversations, key, "I closed it, please send a new link");

    assertThat(harness.api.signupLinks(email)).hasSize(2);
    assertThat(harness.state(key).attempt).isEqualTo(2);
    assertThat(harness.state(key).customerId).isNull();
    String checkout = harness.api.openSignupLink(email);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.state(key).customerId != null);
    Customer customer = harness.api.customer(email).orElseThrow();
    assertThat(harness.api.checkouts(customer)).hasSize(2).contains(checkout.replaceAll(".*/", ""));
  }

  @Test
  void aChangeAfterCheckoutOpensANewAttempt() {
    Bot bot = harness.bot();
    String email = email();
    String key = harness.upToSummary(conversations, bot, email);
    harness.say(conversations, key, "yes");
    String first = harness.state(key).followUp;

    harness.say(conversations, key, "change the plan");
    assertThat(harness.state(key).stage).isEqualTo(Stage.COLLECTING);
    harness.say(conversations, key, "pro");
    harness.say(conversations, key, "yes");

    ConversationState state = harness.state(key);
    assertThat(state.attempt).isEqualTo(2);
    assertThat(state.followUp).isNotEqualTo(first).endsWith(":2");
    assertThat(harness.api.signupLinks(email)).hasSize(2);
    // The newer link is the one followed: a pending customer on pro.
    harness.api.openSignupLink(email);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.state(key).customerId != null);
    Customer customer = harness.api.customer(email).orElseThrow();
    assertThat(harness.state(key).customerId).isEqualTo(customer.id().toString());
    assertThat(customer.plan()).isEqualTo("pro");
  }

  @Test
  void aFailedSignUpCanBeRetried() {
    Bot bot = harness.bot();
    String email = email();
    String key = harness.upToSummary(conversations, bot, email);
    // The api cannot be reached: nothing listens on its port.
    Conversations apiDown =
        harness.conversations(
            null,
            1000,
            OwnerProofs.NONE,
            URI.create("http://127.0.0.1:" + TestServices.freePort()));
    harness.say(apiDown, key, "yes");
    assertThat(harness.ofType(key, "error").getLast().path("code").asText())
        .isEqualTo("signup_unavailable");
    assertThat(harness.state(key).stage).isEqualTo(Stage.COLLECTING);
    assertThat(harness.api.customer(email)).isEmpty();

    // Meanwhile the email became a paying customer's: the api answers as for any email (the mail
    // it sends is a sign-in link), and the conversation says the same as for any other.
    harness.api.payingCustomer(email);
    harness.say(conversations, key, "yes");
    assertThat(harness.lastMessage(key)).contains("on its way to " + email);
    assertThat(harness.state(key).stage).isEqualTo(Stage.CHECKOUT);
    assertThat(harness.api.signupLinks(email)).isEmpty();
  }

  /** A bot another customer's agent has: refused at once, and the bot asked for again. */
  @Test
  void aBotInUseIsRefusedAndAskedAgain() {
    Bot bot = harness.bot();
    String owner = email();
    harness.say(conversations, harness.upToSummary(conversations, bot, owner), "yes");
    harness.api.openSignupLink(owner);
    String key = harness.upToSummary(conversations, bot, email());

    harness.say(conversations, key, "yes");

    assertThat(harness.lastMessage(key)).contains("runs in another box");
    assertThat(harness.state(key).stage).isEqualTo(Stage.COLLECTING);
    assertThat(harness.machine.asking(harness.state(key))).isEqualTo(Slot.BOT);
  }

  @Test
  void aConversationSendingTooFastIsRefused() {
    Conversations limited = harness.conversations(null, 3);
    String key = Harness.webKey();
    for (int i = 0; i < 3; i++) {
      limited.input(key, new Input.Start());
    }
    assertThatThrownBy(() -> limited.input(key, new Input.Start()))
        .isInstanceOf(TooManyRequestsException.class);
  }
}
