package cloud.openclaw.billing.events;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.billing.Mails;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.NotificationStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.testkit.TestPostgres;
import io.helidon.dbclient.DbRow;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The mails about a box's state: "agent live" only once the box runs (its bot answered), "Telegram
 * refused your bot token" once per box while it is bot_refused. Real PostgreSQL.
 */
class BoxNoticesIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();

  static Database database;
  static BoxStore boxes;
  static BoxNotices notices;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    boxes =
        new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
    notices =
        new BoxNotices(
            database,
            new CustomerStore(database),
            new NotificationStore(database),
            new Mails("http://dashboard/"));
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(database);
  }

  @Test
  void aBoxWhoseBotIsRefusedGetsOneRefusalMailAndNoLiveMailUntilItRuns() {
    Box box = newBox();
    // it ran once (ready_at set), then Telegram refused its token before the mail went out
    boxes.markObserved(database.execute(), box.id(), BoxObservedState.RUNNING, null);
    boxes.markObserved(
        database.execute(),
        box.id(),
        BoxObservedState.BOT_REFUSED,
        "Telegram refused your bot token: send a new one.");

    notices.run();
    notices.run();
    assertThat(mails(box)).containsExactly("bot_refused");
    assertThat(body("bot_refused:" + box.id()))
        .contains("Telegram refused your bot token: send a new one.")
        .contains("http://dashboard/");

    // the token works again: the box runs, and now it is live
    boxes.markObserved(database.execute(), box.id(), BoxObservedState.RUNNING, null);
    notices.run();
    notices.run();
    assertThat(mails(box)).containsExactlyInAnyOrder("bot_refused", "agent_live");
  }

  @Test
  void aRunningBoxGetsOneLiveMail() {
    Box box = newBox();
    notices.run();
    assertThat(mails(box)).isEmpty();
    boxes.markObserved(database.execute(), box.id(), BoxObservedState.RUNNING, null);
    notices.run();
    notices.run();
    assertThat(mails(box)).containsExactly("agent_live");
  }

  private static Box newBox() {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    return boxes.create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.LOCAL));
  }

  private static List<String> mails(Box box) {
    try (Stream<DbRow> rows =
        database
            .execute()
            .query(
                "SELECT kind FROM notifications WHERE customer_id = ? ORDER BY created_at",
                box.customerId())) {
      return rows.map(row -> Rows.string(row, "kind")).toList();
    }
  }

  private static String body(String dedupeKey) {
    try (Stream<DbRow> rows =
        database
            .execute()
            .query("SELECT body FROM notifications WHERE dedupe_key = ?", dedupeKey)) {
      return Rows.string(rows.findFirst().orElseThrow(), "body");
    }
  }
}
