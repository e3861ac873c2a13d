package cloud.openclaw.platform.store;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Rotation of the keys that seal secrets at rest (crypto.keys): how many values each key seals, and
 * re-sealing all of them under the active key so an old key can be retired. What SecretBox seals:
 * the boxes' bot tokens (PostgreSQL) and the bot token an onboarding conversation holds until
 * sign-up (Redis, {@code onboarding:state:<key>}, field {@code botTokenSealed} with the
 * conversation's {@code key} as associated data). Safe while the services run: each value is
 * replaced only if it is still the one that was read (compare-and-set), so a concurrent write wins.
 */
public final class KeyRotation {
  private static final int SCAN_PAGE = 500;

  // Replaces the conversation's JSON only if nobody wrote it since it was read; keeps its TTL.
  private static final String COMPARE_AND_SET =
      """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
        return 1
      end
      return 0\
      """;

  private final Database database;
  private final Redis redis;
  private final BoxStore boxes;
  private final SecretBox secrets;

  public KeyRotation(Database database, Redis redis, SecretBox secrets) {
    this.database = database;
    this.redis = redis;
    this.secrets = secrets;
    this.boxes = new BoxStore(database, secrets);
  }

  /**
   * Sealed values by key id. A key may be retired (removed from crypto.keys) when it is not the
   * active key and seals nothing.
   */
  public record KeyCounts(
      String activeKey,
      SortedSet<String> configuredKeys,
      Map<String, Long> botTokens,
      Map<String, Long> conversations) {

    /** Both kinds together, by key id. */
    public Map<String, Long> total() {
      Map<String, Long> total = new TreeMap<>(botTokens);
      conversations.forEach((key, n) -> total.merge(key, n, Long::sum));
      return total;
    }

    /** Keys that seal something but are not configured: those values cannot be opened. */
    public SortedSet<String> missingKeys() {
      SortedSet<String> missing = new TreeSet<>(total().keySet());
      missing.removeAll(configuredKeys);
      return missing;
    }

    /** Configured keys that are not active and seal nothing: safe to remove from crypto.keys. */
    public SortedSet<String> retirableKeys() {
      SortedSet<String> retirable = new TreeSet<>(configuredKeys);
      retirable.remove(activeKey);
      retirable.removeAll(total().keySet());
      return retirable;
    }

    /** As JSON for the admin API and the command line. */
    public Map<String, Object> view() {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("activeKey", activeKey);
      view.put("configuredKeys", List.copyOf(configuredKeys));
      view.put("sealedByKey", total());
      view.put("botTokensByKey", botTokens);
      view.put("conversationsByKey", conversations);
      view.put("missingKeys", List.copyOf(missingKeys()));
      view.put("retirableKeys", List.copyOf(retirableKeys()));
      return view;
    }
  }

  /**
   * What one reseal did: the counts before and after, how many values moved, and those that do not
   * open (sealed under a key no longer configured, or tampered with), which stay as they were.
   */
  public record Report(
      KeyCounts before,
      KeyCounts after,
      int botTokensMoved,
      int conversationsMoved,
      List<UUID> unopenableBoxes,
      List<String> unopenableConversations) {

    public Map<String, Object> view() {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("before", before.view());
      view.put("after", after.view());
      view.put("botTokensMoved", botTokensMoved);
      view.put("conversationsMoved", conversationsMoved);
      view.put("unopenableBoxes", unopenableBoxes.stream().map(UUID::toString).toList());
      view.put("unopenableConversations", unopenableConversations);
      return view;
    }
  }

  public KeyCounts counts() {
    Map<String, Long> conversations = new TreeMap<>();
    forEachConversation(
        (redisKey, json, state) -> {
          String keyId = state.path("botTokenKeyId").asText(null);
          if (keyId != null && state.hasNonNull("botTokenSealed")) {
            conversations.merge(keyId, 1L, Long::sum);
          }
        });
    return new KeyCounts(
        secrets.activeKeyId(),
        secrets.keyIds(),
        boxes.countByKey(database.execute()),
        conversations);
  }

  /**
   * Re-seals every value not under the active key; idempotent (a second run moves nothing) and
   * batched (boxes by pages of ids, conversations by SCAN pages).
   */
  public Report resealAll() {
    KeyCounts before = counts();
    BoxStore.ResealReport moved = boxes.resealAll(database.execute());
    int[] conversationsMoved = {0};
    List<String> unopenable = new ArrayList<>();
    forEachConversation(
        (redisKey, json, state) -> {
          switch (resealConversation(redisKey, json, state)) {
            case MOVED -> conversationsMoved[0]++;
            case UNOPENABLE -> unopenable.add(state.path("key").asText(redisKey));
            case UNCHANGED -> {}
          }
        });
    return new Report(
        before,
        counts(),
        moved.moved(),
        conversationsMoved[0],
        moved.unopenable(),
        List.copyOf(unopenable));
  }

  /**
   * Refuses to start a service whose crypto.keys lack a key that still seals bot tokens: every such
   * box would fail later, one by one, when its token is needed.
   */
  public static void requireConfiguredKeys(Database database, SecretBox secrets) {
    Map<String, Long> sealed = new BoxStore(database, secrets).countByKey(database.execute());
    Map<String, Long> missing = new TreeMap<>(sealed);
    missing.keySet().removeAll(secrets.keyIds());
    if (!missing.isEmpty()) {
      throw new ConfigurationException(
          "crypto.keys",
          "bot tokens are sealed under key(s) that are not configured "
              + missing
              + " (key id=count): put the key(s) back into crypto.keys; retire a key only after"
              + " a reseal shows it seals nothing (docs/deploy.md, Key rotation)");
    }
  }

  enum Outcome {
    MOVED,
    UNCHANGED,
    UNOPENABLE
  }

  Outcome resealConversation(String redisKey, String read, ObjectNode state) {
    String keyId = state.path("botTokenKeyId").asText(null);
    String sealedText = state.path("botTokenSealed").asText(null);
    String associatedData = state.path("key").asText(null);
    if (keyId == null || sealedText == null || associatedData == null) {
      return Outcome.UNCHANGED;
    }
    SecretBox.Sealed sealed;
    try {
      sealed = new SecretBox.Sealed(keyId, Base64.getDecoder().decode(sealedText));
    } catch (IllegalArgumentException e) {
      return Outcome.UNOPENABLE;
    }
    if (!secrets.needsRotation(sealed)) {
      return Outcome.UNCHANGED;
    }
    SecretBox.Sealed fresh;
    try {
      fresh = secrets.seal(secrets.open(sealed, associatedData), associatedData);
    } catch (SecretBox.SecretException e) {
      return Outcome.UNOPENABLE;
    }
    ObjectNode changed = state.deepCopy();
    changed.put("botTokenKeyId", fresh.keyId());
    changed.put("botTokenSealed", Base64.getEncoder().encodeToString(fresh.ciphertext()));
    Object swapped =
        redis.client().eval(COMPARE_AND_SET, List.of(redisKey), List.of(read, write(changed)));
    // Lost the race: the conversation saved meanwhile (under the active key, or the next run's).
    return Long.valueOf(1).equals(swapped) ? Outcome.MOVED : Outcome.UNCHANGED;
  }

  private interface ConversationVisitor {
    void visit(String redisKey, String json, ObjectNode state);
  }

  /**
   * Every stored conversation state, SCAN page by page; one that is not a JSON object is skipped.
   */
  private void forEachConversation(ConversationVisitor visitor) {
    ScanParams match =
        new ScanParams().match(redis.key("onboarding", "state", "*")).count(SCAN_PAGE);
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.client().scan(cursor, match);
      for (String redisKey : page.getResult()) {
        String json = redis.client().get(redisKey);
        if (json == null) {
          continue; // expired since the scan saw it
        }
        JsonNode state;
        try {
          state = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
          continue;
        }
        if (state instanceof ObjectNode object) {
          visitor.visit(redisKey, json, object);
        }
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
  }

  private static String write(JsonNode node) {
    try {
      return Json.MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
