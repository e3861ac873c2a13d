package cloud.openclaw.platform.onboarding;

import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * What the onboarding agent said in one conversation, in order: a Redis stream per conversation
 * ({@code onboarding:log:<key>}, key {@code web:<sessionId>} or {@code tg:<telegramUserId>}), each
 * entry one event as JSON (field {@code event}). The onboarding agent appends; a transport (the
 * api's WebSocket relay, the Telegram setup bot) reads from the last entry id it delivered, so a
 * client that reconnects gets exactly what it missed. The stream lives as long as the conversation
 * (its TTL is renewed on every append) and keeps its last {@value #KEEP} entries.
 */
public final class ConversationLog {
  /** Entries kept per conversation: enough to replay a whole sign-up, deltas included. */
  static final long KEEP = 2_000;

  private final Redis redis;
  private final Duration ttl;

  public ConversationLog(Redis redis, Duration ttl) {
    this.redis = redis;
    this.ttl = ttl;
  }

  /** One event as stored: its stream id (the client's cursor) and its JSON. */
  public record Entry(String id, String json) {}

  /**
   * Appends one event (JSON) and renews the conversation's TTL, in one round trip (a streamed reply
   * appends an event per delta); returns the entry's id.
   */
  public String append(String conversation, String json) {
    String key = key(conversation);
    Response<StreamEntryID> id;
    try (Pipeline pipeline = redis.client().pipelined()) {
      id =
          pipeline.xadd(
              key,
              XAddParams.xAddParams().approximateTrimming().maxLen(KEEP),
              Map.of("event", json));
      pipeline.pexpire(key, ttl.toMillis());
      pipeline.sync();
    }
    return id.get().toString();
  }

  /**
   * The events after {@code afterId} ({@code null} or "0": from the start), at most {@code count};
   * when there are none, waits up to {@code block} for the next (null: does not wait).
   */
  public List<Entry> read(String conversation, String afterId, int count, Duration block) {
    XReadParams params = XReadParams.xReadParams().count(count);
    if (block != null) {
      params.block((int) Math.max(1, Math.min(Integer.MAX_VALUE, block.toMillis())));
    }
    // StreamEntryID does not parse "0" (it wants <millis>-<seq>): the start is (0, 0).
    StreamEntryID after =
        afterId == null || afterId.isBlank() || afterId.equals("0")
            ? new StreamEntryID(0, 0)
            : new StreamEntryID(afterId);
    Map<String, List<StreamEntry>> result =
        redis.client().xreadAsMap(params, Map.of(key(conversation), after));
    if (result == null || result.isEmpty()) {
      return List.of();
    }
    return result.values().iterator().next().stream()
        .map(entry -> new Entry(entry.getID().toString(), entry.getFields().get("event")))
        .toList();
  }

  /** The id of the newest event, or "0" when there is none. */
  public String last(String conversation) {
    List<StreamEntry> newest = redis.client().xrevrange(key(conversation), "+", "-", 1);
    return newest.isEmpty() ? "0" : newest.getFirst().getID().toString();
  }

  /** Forgets the conversation's events. */
  public void delete(String conversation) {
    redis.client().del(key(conversation));
  }

  private String key(String conversation) {
    return redis.key("onboarding", "log", conversation);
  }
}
