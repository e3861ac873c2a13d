package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.KeyRotation;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.dbclient.DbRow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The admin rotates the sealing key through the api: the server has k2 active and k1 still
 * configured, boxes were sealed under k1; GET /admin/crypto/keys shows what k1 seals, POST
 * /admin/crypto/reseal moves it to k2 (audited), after which k1 is retirable and a configuration
 * with only k2 opens every token.
 */
@ServerTest
class AdminKeyRotationIT {
  static final String K1 = SecretBox.newKey();
  static final String K2 = SecretBox.newKey();
  static final AtomicLong BOTS = new AtomicLong();
  static ApiFixture api;
  private final ApiClient client;

  AdminKeyRotationIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api =
        ApiFixture.start(
            AdminKeyRotationIT.class,
            Map.of("crypto.keys", "k1:" + K1 + ",k2:" + K2, "crypto.active-key", "k2"));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  private static byte[] key(String base64) {
    return Base64.getDecoder().decode(base64);
  }

  @Test
  void theAdminSeesCountsByKeyResealsAndTheOldKeyRetires() {
    SecretBox underK1 =
        new SecretBox(new CryptoSettings("k1", Map.of("k1", key(K1), "k2", key(K2))));
    BoxStore boxesK1 = new BoxStore(api.database, underK1);
    List<Box> boxes =
        List.of(
            boxesK1.create(api.database.execute(), newBox()),
            boxesK1.create(api.database.execute(), newBox()),
            boxesK1.create(api.database.execute(), newBox()));
    List<String> tokens = boxes.stream().map(boxesK1::openBotToken).toList();
    String admin = client.exchange(api.linkToken(ApiFixture.ADMIN)).access();

    JsonNode before = client.get("/admin/crypto/keys", admin).json();
    assertThat(before.path("activeKey").asText()).isEqualTo("k2");
    assertThat(before.path("sealedByKey").path("k1").asLong()).isEqualTo(3);
    assertThat(before.path("retirableKeys").size()).isZero();

    ApiClient.Answer resealed = client.post("/admin/crypto/reseal", admin, null);
    assertThat(resealed.status()).isEqualTo(200);
    assertThat(resealed.json().path("botTokensMoved").asInt()).isEqualTo(3);
    assertThat(resealed.json().path("before").path("sealedByKey").path("k1").asLong()).isEqualTo(3);
    assertThat(resealed.json().path("after").path("sealedByKey").has("k1")).isFalse();

    JsonNode after = client.get("/admin/crypto/keys", admin).json();
    assertThat(after.path("sealedByKey").path("k2").asLong())
        .isEqualTo(before.path("sealedByKey").path("k2").asLong() + 3);
    assertThat(after.path("retirableKeys").toString()).isEqualTo("[\"k1\"]");
    DbRow entry =
        api.database
            .execute()
            .get("SELECT * FROM admin_audit_log WHERE action = 'crypto.reseal' ORDER BY id LIMIT 1")
            .orElseThrow();
    assertThat(Rows.string(entry, "actor")).isEqualTo(ApiFixture.ADMIN);
    assertThat(Rows.string(entry, "target_id")).isEqualTo("k2");
    assertThat(Rows.string(entry, "details")).contains("\"botTokensMoved\": 3");

    // k1 retired: only k2 configured, every token opens.
    BoxStore onlyK2 =
        new BoxStore(api.database, new SecretBox(new CryptoSettings("k2", Map.of("k2", key(K2)))));
    for (int i = 0; i < boxes.size(); i++) {
      assertThat(onlyK2.openBotToken(onlyK2.find(boxes.get(i).id()).orElseThrow()))
          .isEqualTo(tokens.get(i));
    }
    assertThat(client.post("/admin/crypto/reseal", admin, null).json().path("botTokensMoved"))
        .isEqualTo(Json.MAPPER.valueToTree(0));
  }

  @Test
  void theApiRefusesToStartWithoutAKeyThatStillSealsTokens() {
    SecretBox underK1 =
        new SecretBox(new CryptoSettings("k1", Map.of("k1", key(K1), "k2", key(K2))));
    new BoxStore(api.database, underK1).create(api.database.execute(), newBox());
    Map<String, String> config = new HashMap<>(api.config);
    config.put("api.host", "127.0.0.1");
    config.put("api.port", "0");
    config.put("crypto.keys", "k2:" + K2);

    assertThatThrownBy(() -> Main.start(ConfigLoader.load("api", Map.of(), config)).close())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("crypto.keys")
        .hasMessageContaining("k1=");
    // With k1 back the same configuration starts.
    config.put("crypto.keys", "k2:" + K2 + ",k1:" + K1);
    Main.start(ConfigLoader.load("api", Map.of(), config)).close();
    // Leaves nothing under k1 for the other tests' counts.
    new KeyRotation(api.database, api.redis, api.secrets).resealAll();
  }

  @Test
  void onlyAnAdminMaySeeOrReseal() {
    String customer = client.signIn(api.customer("starter").id()).access();
    for (String path : List.of("/admin/crypto/keys")) {
      assertThat(client.get(path, null).status()).isEqualTo(401);
      assertThat(client.get(path, customer).status()).isEqualTo(403);
    }
    assertThat(client.post("/admin/crypto/reseal", null, null).status()).isEqualTo(401);
    assertThat(client.post("/admin/crypto/reseal", customer, null).status()).isEqualTo(403);
  }

  private static NewBox newBox() {
    long botId = 7_000_000 + BOTS.incrementAndGet();
    return new NewBox(
        api.customer("starter").id(),
        botId,
        "bot" + botId + "_bot",
        botId + ":AAH" + UUID.randomUUID().toString().replace("-", ""),
        List.of(1000L + botId),
        "kimi-k2.6",
        ThinkingLevel.OFF,
        BoxRuntime.KUBERNETES);
  }
}
