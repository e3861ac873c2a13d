package cloud.openclaw.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A key rotation end to end on real PostgreSQL and Redis: bot tokens and onboarding conversations
 * sealed under k1; k2 added and made active; reseal; k1 dropped from the configuration; everything
 * still opens.
 */
class KeyRotationIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();
  static Database db;
  static Redis redis;

  @BeforeAll
  static void connect() {
    db = StoreFixtures.connect(postgres);
    redis = Redis.connect(new RedisSettings(testRedis.url(), testRedis.prefix(), 4));
  }

  @BeforeEach
  void empty() {
    db.execute().dml("DELETE FROM boxes");
    testRedis.wipe();
  }

  @AfterAll
  static void close() {
    redis.close();
    db.close();
  }

  /** A conversation as the onboarding agent stores it, its bot token sealed to its key. */
  static String conversation(SecretBox secrets, String key, String token) {
    SecretBox.Sealed sealed = secrets.seal(token, key);
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("key", key);
    state.put("stage", "COLLECTING");
    state.put("botId", 42);
    state.put("botTokenKeyId", sealed.keyId());
    state.put("botTokenSealed", Base64.getEncoder().encodeToString(sealed.ciphertext()));
    String redisKey = redis.key("onboarding", "state", key);
    redis.client().psetex(redisKey, 600_000, Json.write(state));
    return redisKey;
  }

  static String openConversation(SecretBox secrets, String redisKey) throws Exception {
    JsonNode state = Json.MAPPER.readTree(redis.client().get(redisKey));
    return secrets.open(
        new SecretBox.Sealed(
            state.path("botTokenKeyId").asText(),
            Base64.getDecoder().decode(state.path("botTokenSealed").asText())),
        state.path("key").asText());
  }

  @Test
  void sealUnderK1RotateToK2ResealRetireK1AndEverythingOpens() throws Exception {
    CryptoSettings k1Only = StoreFixtures.crypto("k1", "k1");
    SecretBox underK1 = new SecretBox(k1Only);
    BoxStore boxesK1 = new BoxStore(db, underK1);
    List<Box> sealed = new ArrayList<>();
    Map<Box, String> tokens = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      Box box = boxesK1.create(db.execute(), StoreFixtures.newBox(StoreFixtures.customer(db).id()));
      sealed.add(box);
      tokens.put(box, boxesK1.openBotToken(box));
    }
    boxesK1.markObserved(db.execute(), sealed.getFirst().id(), BoxObservedState.DESTROYED, null);
    String webChat = conversation(underK1, "web:session-1", "111:AAH-web");
    String telegramChat = conversation(underK1, "tg:1234", "222:AAH-tg");
    long ttlBefore = redis.client().pttl(webChat);

    // Step 1: k2 is added and made active; k1 stays configured.
    Map<String, byte[]> both = new LinkedHashMap<>(k1Only.keys());
    both.put("k2", Base64.getDecoder().decode(SecretBox.newKey()));
    SecretBox rotated = new SecretBox(new CryptoSettings("k2", both));
    KeyRotation rotation = new KeyRotation(db, redis, rotated);
    KeyRotation.KeyCounts before = rotation.counts();
    assertThat(before.botTokens()).isEqualTo(Map.of("k1", 5L));
    assertThat(before.conversations()).isEqualTo(Map.of("k1", 2L));
    assertThat(before.retirableKeys()).isEmpty();
    assertThat(before.missingKeys()).isEmpty();

    // Step 2: reseal.
    KeyRotation.Report report = rotation.resealAll();
    assertThat(report.botTokensMoved()).isEqualTo(5);
    assertThat(report.conversationsMoved()).isEqualTo(2);
    assertThat(report.unopenableBoxes()).isEmpty();
    assertThat(report.unopenableConversations()).isEmpty();
    assertThat(report.before().total()).isEqualTo(Map.of("k1", 7L));
    assertThat(report.after().total()).isEqualTo(Map.of("k2", 7L));
    assertThat(report.after().retirableKeys()).containsExactly("k1");
    assertThat(redis.client().pttl(webChat)).isPositive().isLessThanOrEqualTo(ttlBefore);
    // Idempotent: nothing left to move.
    KeyRotation.Report again = rotation.resealAll();
    assertThat(again.botTokensMoved() + again.conversationsMoved()).isZero();

    // Step 3: k1 retired: a configuration with only k2 opens every token and conversation.
    SecretBox k2Only = new SecretBox(new CryptoSettings("k2", Map.of("k2", both.get("k2"))));
    KeyRotation.requireConfiguredKeys(db, k2Only);
    BoxStore boxesK2 = new BoxStore(db, k2Only);
    for (Map.Entry<Box, String> entry : tokens.entrySet()) {
      Box stored = boxesK2.find(entry.getKey().id()).orElseThrow();
      assertThat(stored.botToken().keyId()).isEqualTo("k2");
      assertThat(boxesK2.openBotToken(stored)).isEqualTo(entry.getValue());
    }
    assertThat(openConversation(k2Only, webChat)).isEqualTo("111:AAH-web");
    assertThat(openConversation(k2Only, telegramChat)).isEqualTo("222:AAH-tg");
    assertThat(new KeyRotation(db, redis, k2Only).counts().missingKeys()).isEmpty();
  }

  @Test
  void aServiceWhoseKeysLackOneThatStillSealsTokensRefusesToStartNamingIt() {
    CryptoSettings old = StoreFixtures.crypto("gone", "gone");
    new BoxStore(db, new SecretBox(old))
        .create(db.execute(), StoreFixtures.newBox(StoreFixtures.customer(db).id()));
    SecretBox without = new SecretBox(StoreFixtures.crypto("fresh", "fresh"));

    assertThatThrownBy(() -> KeyRotation.requireConfiguredKeys(db, without))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("crypto.keys")
        .hasMessageContaining("gone=1");
    KeyRotation.KeyCounts counts = new KeyRotation(db, redis, without).counts();
    assertThat(counts.missingKeys()).contains("gone");
    // A reseal cannot move what it cannot open: reported, left as it was.
    KeyRotation.Report report = new KeyRotation(db, redis, without).resealAll();
    assertThat(report.unopenableBoxes()).isNotEmpty();
    assertThat(report.after().botTokens()).containsEntry("gone", 1L);
  }

  @Test
  void aConversationSavedSinceItWasReadIsNotOverwritten() throws Exception {
    CryptoSettings keys = StoreFixtures.crypto("a", "a", "b");
    String redisKey = conversation(new SecretBox(keys), "web:race", "333:AAH-race");
    String read = redis.client().get(redisKey);
    // The agent saves the conversation (a new answer) between the reseal's read and its write.
    String saved = read.replace("\"stage\":\"COLLECTING\"", "\"stage\":\"CONFIRMING\"");
    redis.client().set(redisKey, saved);
    SecretBox underB = new SecretBox(StoreFixtures.withActive(keys, "b"));
    KeyRotation rotation = new KeyRotation(db, redis, underB);

    KeyRotation.Outcome late =
        rotation.resealConversation(
            redisKey,
            read,
            (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(read));

    assertThat(late).isEqualTo(KeyRotation.Outcome.UNCHANGED);
    assertThat(redis.client().get(redisKey)).isEqualTo(saved);
    // The next pass reads the saved version: the answer survives and the token moves.
    assertThat(rotation.resealAll().conversationsMoved()).isEqualTo(1);
    assertThat(redis.client().get(redisKey))
        .contains("CONFIRMING")
        .contains("\"botTokenKeyId\":\"b\"");
    assertThat(openConversation(underB, redisKey)).isEqualTo("333:AAH-race");
  }
}
