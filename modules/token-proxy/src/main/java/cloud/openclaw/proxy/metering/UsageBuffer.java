package cloud.openclaw.proxy.metering;

import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.redis.StreamGroup;
import java.util.Map;
import redis.clients.jedis.StreamEntryID;

/**
 * The durable buffer between the proxy and PostgreSQL: every proxied request's {@link UsageEvent}
 * goes into a Redis Stream with one XADD, and the {@link UsageWriter}s move it to PostgreSQL in
 * batches. The request id makes the events idempotent all the way down, so appending the same event
 * twice (a retry) counts it once.
 *
 * <p>The stream is trimmed approximately to {@link #MAX_LENGTH} entries; trimming drops the oldest
 * entries whether or not a writer has recorded them, so the bound is what the buffer can hold while
 * no writer runs (about a million requests).
 */
public final class UsageBuffer {
  /** The one field of an entry: the event as JSON. */
  public static final String FIELD = "event";

  /** About how many entries the stream keeps (approximate trimming, so XADD stays O(1)). */
  public static final long MAX_LENGTH = 1_000_000;

  private final StreamGroup stream;

  public UsageBuffer(Redis redis) {
    this.stream = new StreamGroup(redis, streamKey(redis), UsageWriter.GROUP);
  }

  /** The stream the events go to. */
  static String streamKey(Redis redis) {
    return redis.key("usage", "events");
  }

  /** The stream the writers move entries to that they cannot record (bad JSON, refused rows). */
  static String deadLetterKey(Redis redis) {
    return redis.key("usage", "dead");
  }

  /**
   * Appends one event (one XADD) and returns its entry id.
   *
   * @throws redis.clients.jedis.exceptions.JedisException when Redis cannot be reached or refuses
   *     the command: the event is then not buffered, and the caller decides (the proxy may let the
   *     request through unmetered, or refuse it).
   */
  public StreamEntryID append(UsageEvent event) {
    return stream.add(Map.of(FIELD, UsageEventJson.write(event)), MAX_LENGTH);
  }

  public String key() {
    return stream.key();
  }
}
