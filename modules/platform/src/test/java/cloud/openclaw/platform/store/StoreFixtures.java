package cloud.openclaw.platform.store;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.testkit.TestPostgres;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Quick customers and boxes for the platform's ITs, and the keys that seal bot tokens. */
public final class StoreFixtures {
  private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime() % 1_000_000);

  private StoreFixtures() {}

  /** Connects to the test class's fresh database and applies the schema. */
  static Database connect(TestPostgres postgres) {
    Database database =
        Database.connect(
            new DatabaseSettings(postgres.jdbcUrl(), postgres.user(), postgres.password(), 4));
    Migrations.apply(database.dataSource());
    return database;
  }

  /** Crypto settings with freshly generated keys by id, {@code active} among them. */
  static CryptoSettings crypto(String active, String... keyIds) {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    for (String id : keyIds) {
      keys.put(id, Base64.getDecoder().decode(SecretBox.newKey()));
    }
    return new CryptoSettings(active, Map.copyOf(keys));
  }

  /** The same keys with another one active (a rotation). */
  static CryptoSettings withActive(CryptoSettings settings, String active) {
    return new CryptoSettings(active, settings.keys());
  }

  public static SecretBox secretBox() {
    return new SecretBox(crypto("k1", "k1"));
  }

  static long next() {
    return SEQUENCE.incrementAndGet();
  }

  static String email() {
    return "user" + next() + "@example.com";
  }

  static Customer customer(Database db) {
    return new CustomerStore(db).create(db.execute(), NewCustomer.ofEmail(email()));
  }

  static String botToken(long botId) {
    return botId + ":AAH" + UUID.randomUUID().toString().replace("-", "");
  }

  static NewBox newBox(UUID customerId) {
    return newBox(customerId, next());
  }

  static NewBox newBox(UUID customerId, long botId) {
    return new NewBox(
        customerId,
        botId,
        "bot" + botId + "_bot",
        botToken(botId),
        List.of(100_000L + botId),
        "kimi-k2.6",
        ThinkingLevel.LOW,
        BoxRuntime.LOCAL);
  }

  static Box box(Database db, SecretBox secrets, UUID customerId) {
    return new BoxStore(db, secrets).create(db.execute(), newBox(customerId));
  }

  /** A customer with a live box. */
  public static Box customerWithBox(Database db, SecretBox secrets) {
    return box(db, secrets, customer(db).id());
  }
}
