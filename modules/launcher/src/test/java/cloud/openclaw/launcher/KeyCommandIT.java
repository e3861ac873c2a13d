package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ./openclaw-cloud keys} and {@code reseal} with the configuration a service reads
 * (OPENCLAW_* variables): a token sealed under k1, k2 added and active, reseal, k1 dropped.
 */
class KeyCommandIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  record Run(int status, JsonNode output) {}

  static Run run(String command, Map<String, String> environment) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status =
        KeyCommand.run(command, environment, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Run(status, Json.MAPPER.readTree(bytes.toString(StandardCharsets.UTF_8)));
  }

  @Test
  void resealMovesEveryTokenToTheActiveKeySoTheOldOneCanBeRetired() throws Exception {
    String k1 = SecretBox.newKey();
    String k2 = SecretBox.newKey();
    Map<String, String> environment = new HashMap<>();
    environment.put("OPENCLAW_DB_URL", postgres.jdbcUrl());
    environment.put("OPENCLAW_DB_USER", postgres.user());
    environment.put("OPENCLAW_DB_PASSWORD", postgres.password() == null ? "" : postgres.password());
    environment.put("OPENCLAW_REDIS_URL", redis.url());
    environment.put("OPENCLAW_REDIS_PREFIX", redis.prefix());
    environment.put("OPENCLAW_CRYPTO_KEYS", "k1:" + k1);
    environment.put("OPENCLAW_CRYPTO_ACTIVE_KEY", "k1");
    Box box;
    String token = "4242:AAH-cli-rotation";
    try (Database database =
        Database.connect(
            new DatabaseSettings(postgres.jdbcUrl(), postgres.user(), postgres.password(), 2))) {
      Migrations.apply(database.dataSource());
      SecretBox underK1 =
          new SecretBox(new CryptoSettings("k1", Map.of("k1", Base64.getDecoder().decode(k1))));
      var customer =
          new CustomerStore(database)
              .create(
                  database.execute(), new NewCustomer("cli@example.com", null, null, "starter"));
      box =
          new BoxStore(database, underK1)
              .create(
                  database.execute(),
                  new NewBox(
                      customer.id(),
                      4242,
                      "cli_bot",
                      token,
                      List.of(7L),
                      "kimi-k2.6",
                      ThinkingLevel.OFF,
                      BoxRuntime.KUBERNETES));
    }
    assertThat(run("keys", environment).output().path("sealedByKey").path("k1").asLong())
        .isEqualTo(1);
    // k1 retired too early: the command says so, and fails.
    environment.put("OPENCLAW_CRYPTO_KEYS", "k2:" + k2);
    environment.put("OPENCLAW_CRYPTO_ACTIVE_KEY", "k2");
    Run early = run("keys", environment);
    assertThat(early.status()).isEqualTo(1);
    assertThat(early.output().path("missingKeys").toString()).isEqualTo("[\"k1\"]");

    environment.put("OPENCLAW_CRYPTO_KEYS", "k1:" + k1 + ",k2:" + k2);
    environment.put("OPENCLAW_CRYPTO_ACTIVE_KEY", "k2");
    Run resealed = run("reseal", environment);
    assertThat(resealed.status()).isZero();
    assertThat(resealed.output().path("botTokensMoved").asInt()).isEqualTo(1);
    assertThat(resealed.output().path("after").path("retirableKeys").toString())
        .isEqualTo("[\"k1\"]");

    environment.put("OPENCLAW_CRYPTO_KEYS", "k2:" + k2);
    Run keys = run("keys", environment);
    assertThat(keys.status()).isZero();
    assertThat(keys.output().path("missingKeys").size()).isZero();
    try (Database database =
        Database.connect(
            new DatabaseSettings(postgres.jdbcUrl(), postgres.user(), postgres.password(), 2))) {
      BoxStore onlyK2 =
          new BoxStore(
              database,
              new SecretBox(
                  new CryptoSettings("k2", Map.of("k2", Base64.getDecoder().decode(k2)))));
      assertThat(onlyK2.openBotToken(onlyK2.find(box.id()).orElseThrow())).isEqualTo(token);
      assertThat(
              database
                  .execute()
                  .get("SELECT actor FROM admin_audit_log WHERE action = 'crypto.reseal'")
                  .orElseThrow()
                  .column("actor")
                  .getString())
          .startsWith("cli:");
    }
  }
}
