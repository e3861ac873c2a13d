package cloud.openclaw.platform.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * A Redis stream read by one consumer group, with what every reader of ours needs: the group
 * created reading from the stream's start; new entries; entries other consumers left unacknowledged
 * past a lease, taken over; and recovery when Redis lost its data (the group is recreated and
 * reading goes on). The job queue and the usage writer stand on it.
 */
public final class StreamGroup {
  private static final Logger LOG = Logger.getLogger(StreamGroup.class.getName());

  private final Redis redis;
  private final String key;
  private final String group;

  /** {@code key} is the full key (already prefixed). */
  public StreamGroup(Redis redis, String key, String group) {
    this.redis = redis;
    this.key = key;
    this.group = group;
  }

  public String key() {
    return key;
  }

  /** Appends an entry, keeping the stream to about {@code maxLength} entries. */
  public StreamEntryID add(Map<String, String> fields, long maxLength) {
    return redis
        .client()
        .xadd(key, XAddParams.xAddParams().approximateTrimming().maxLen(maxLength), fields);
  }

  /** Creates the group (and the stream) if missing, reading from the stream's start. */
  public void ensure() {
    try {
      redis.client().xgroupCreate(key, group, new StreamEntryID(0, 0), true);
    } catch (JedisDataException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
        throw e;
      }
    }
  }

  /** New entries for {@code consumer}; waits up to {@code block} for the first, or not at all. */
  public List<StreamEntry> readNew(String consumer, int count, Duration block) {
    XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(count);
    if (block != null) {
      params.block((int) Math.min(Integer.MAX_VALUE, block.toMillis()));
    }
    Map<String, List<StreamEntry>> result =
        withGroup(
            () ->
                redis
                    .client()
                    .xreadGroupAsMap(
                        group,
                        consumer,
                        params,
                        Map.of(key, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY)));
    List<StreamEntry> entries = new ArrayList<>();
    if (result != null) {
      result.values().forEach(entries::addAll);
    }
    return entries;
  }

  /**
   * Takes over entries other consumers read but did not acknowledge within {@code minIdle} (they
   * died, or hang). Entries trimmed from the stream while pending come back without fields: they
   * are acknowledged and left out, since whatever they announced has a durable owner elsewhere.
   */
  public List<StreamEntry> reclaim(String consumer, Duration minIdle, int count) {
    Map.Entry<StreamEntryID, List<StreamEntry>> result =
        withGroup(
            () ->
                redis
                    .client()
                    .xautoclaim(
                        key,
                        group,
                        consumer,
                        minIdle.toMillis(),
                        new StreamEntryID(0, 0),
                        XAutoClaimParams.xAutoClaimParams().count(count)));
    List<StreamEntry> entries = new ArrayList<>();
    if (result != null && result.getValue() != null) {
      for (StreamEntry entry : result.getValue()) {
        if (entry == null) {
          continue;
        }
        if (entry.getFields() == null) {
          ack(List.of(entry.getID()));
        } else {
          entries.add(entry);
        }
      }
    }
    return entries;
  }

  /** Acknowledges entries; after Redis lost its data there is nothing left to acknowledge. */
  public void ack(List<StreamEntryID> ids) {
    if (ids.isEmpty()) {
      return;
    }
    try {
      redis.client().xack(key, group, ids.toArray(StreamEntryID[]::new));
    } catch (JedisDataException e) {
      if (!lostData(e)) {
        throw e;
      }
    }
  }

  /** Claims entries in hand again so they look fresh and no other consumer takes them over. */
  public void keep(String consumer, List<StreamEntryID> ids) {
    redis
        .client()
        .xclaimJustId(
            key,
            group,
            consumer,
            0,
            XClaimParams.xClaimParams(),
            ids.toArray(StreamEntryID[]::new));
  }

  /** Entries delivered and not yet acknowledged, across the group. */
  public long pending() {
    return withGroup(() -> redis.client().xpending(key, group).getTotal());
  }

  // After Redis lost its data (restart, FLUSHALL) the group is gone: recreate it and carry on. A
  // read blocked while the stream was deleted ends with UNBLOCKED: the same loss, seen earlier.
  private <T> T withGroup(Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisDataException e) {
      if (!lostData(e)) {
        throw e;
      }
      LOG.warning(
          "stream " + key + ": group " + group + " was gone (Redis lost its data); recreated");
      ensure();
      return command.get();
    }
  }

  private static boolean lostData(JedisDataException e) {
    String message = e.getMessage();
    return message != null && (message.startsWith("NOGROUP") || message.startsWith("UNBLOCKED"));
  }
}
