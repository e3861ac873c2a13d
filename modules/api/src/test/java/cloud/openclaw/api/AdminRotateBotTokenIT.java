package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.telegram.ReplyMarkup;
import cloud.openclaw.platform.telegram.ReplyMarkup.KeyboardButton;
import cloud.openclaw.platform.telegram.ReplyMarkup.ManagedBotRequest;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.sandbox.telegram.Bot;
import cloud.openclaw.sandbox.telegram.User;
import io.helidon.dbclient.DbRow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The admin rotates the token of a bot the onboarding setup bot manages, against the sandbox's
 * Telegram: Telegram replaces it, the box keeps the new one sealed, an update job takes it to the
 * gateway, and the audit log says who did it (never the token).
 */
@ServerTest
class AdminRotateBotTokenIT {
  static Sandbox sandbox;
  static Bot setupBot;
  static TelegramBots telegram;
  static ApiFixture api;
  private final ApiClient client;

  AdminRotateBotTokenIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    sandbox = TestServices.sandbox();
    String root = "http://127.0.0.1:" + sandbox.port() + "/telegram";
    telegram = new TelegramBots(URI.create(root));
    setupBot = sandbox.telegram().createBot(null, "OpenClaw setup");
    api =
        ApiFixture.start(
            AdminRotateBotTokenIT.class,
            Map.of("telegram.api-root", root, "api.onboarding.setup-bot-token", setupBot.token()));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
    sandbox.close();
  }

  /** A person creates their bot with the setup bot's request_managed_bot button. */
  private static Bot managedBot(long personId) {
    User person = new User(personId, "Ada", null);
    telegram
        .bot(setupBot.token())
        .sendMessage(
            person.id(),
            "Create your bot",
            null,
            ReplyMarkup.keyboard(
                List.of(
                    List.of(
                        KeyboardButton.requestManagedBot(
                            "Create my bot", new ManagedBotRequest(1, "Ada's agent", null))))));
    return sandbox.telegram().createManagedBot(setupBot.id(), person, 1);
  }

  private Box boxOf(Customer customer, Bot bot) {
    return new BoxStore(api.database, api.secrets)
        .create(
            api.database.execute(),
            new NewBox(
                customer.id(),
                bot.id(),
                bot.username(),
                bot.token(),
                List.of(4242L),
                "kimi-k2.6",
                ThinkingLevel.OFF,
                BoxRuntime.KUBERNETES));
  }

  private List<String> audit(String boxId) {
    try (Stream<DbRow> rows =
        api.database
            .execute()
            .query("SELECT * FROM admin_audit_log WHERE target_id = ? ORDER BY id", boxId)) {
      return rows.map(
              row ->
                  Rows.string(row, "actor")
                      + " "
                      + Rows.string(row, "action")
                      + " "
                      + Rows.string(row, "details"))
          .toList();
    }
  }

  @Test
  void aManagedBotsTokenIsReplacedStoredSealedAndTakenToTheGateway() {
    String admin = client.exchange(api.linkToken(ApiFixture.ADMIN)).access();
    Bot bot = managedBot(51_001);
    Box box = boxOf(api.customer("starter"), bot);

    ApiClient.Answer rotated =
        client.post("/admin/boxes/" + box.id() + "/rotate-bot-token", admin, null);

    assertThat(rotated.status()).as(rotated.body()).isEqualTo(202);
    BoxStore boxes = new BoxStore(api.database, api.secrets);
    String stored = boxes.openBotToken(boxes.find(box.id()).orElseThrow());
    assertThat(stored)
        .isNotEqualTo(bot.token())
        .isEqualTo(sandbox.telegram().bot(bot.id()).orElseThrow().token());
    assertThat(telegram.identify(stored, "botToken").id()).isEqualTo(bot.id());
    assertThatThrownBy(() -> telegram.identify(bot.token(), "botToken"))
        .isInstanceOf(InvalidInputException.class);

    List<Job> jobs = new JobStore(api.database, 8).listForBox(box.id(), 10);
    assertThat(jobs).extracting(Job::type).containsExactly(JobType.UPDATE);
    assertThat(rotated.json().path("job").path("id").asText())
        .isEqualTo(jobs.get(0).id().toString());
    assertThat(audit(box.id().toString()))
        .singleElement()
        .asString()
        .startsWith(ApiFixture.ADMIN + " box.rotate-bot-token ")
        .contains(jobs.get(0).id().toString())
        .doesNotContain(stored)
        .doesNotContain(bot.token());
    assertThat(rotated.body()).doesNotContain(stored);
  }

  @Test
  void aBotTheSetupBotDoesNotManageIsRefused() {
    String admin = client.exchange(api.linkToken(ApiFixture.ADMIN)).access();
    Bot pasted = sandbox.telegram().createBot(null);
    Box box = boxOf(api.customer("starter"), pasted);

    ApiClient.Answer refused =
        client.post("/admin/boxes/" + box.id() + "/rotate-bot-token", admin, null);

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.code()).isEqualTo("not_managed_bot");
    BoxStore boxes = new BoxStore(api.database, api.secrets);
    assertThat(boxes.openBotToken(boxes.find(box.id()).orElseThrow())).isEqualTo(pasted.token());
    assertThat(telegram.identify(pasted.token(), "botToken").id()).isEqualTo(pasted.id());
    assertThat(new JobStore(api.database, 8).listForBox(box.id(), 10)).isEmpty();
    assertThat(audit(box.id().toString())).isEmpty();
  }

  @Test
  void customersCannotRotate() {
    Customer customer = api.customer("starter");
    Bot bot = managedBot(51_002);
    Box box = boxOf(customer, bot);
    String token = client.signIn(customer.id()).access();

    ApiClient.Answer refused =
        client.post("/admin/boxes/" + box.id() + "/rotate-bot-token", token, null);

    assertThat(refused.status()).isEqualTo(403);
    assertThat(telegram.identify(bot.token(), "botToken").id()).isEqualTo(bot.id());
  }
}
