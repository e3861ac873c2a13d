package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The Redis half of the job queue: a stream of job ids read by one consumer group. It only says
 * "look at job X"; what the job is and whether it is done lives in PostgreSQL.
 */
public final class JobStream {
  private static final String FIELD = "job";
  // Acknowledged entries stay in a stream until trimmed; this bounds it (approximately).
  private static final long MAX_LENGTH = 100_000;

  private final Redis redis;
  private final String key;
  private final String group;

  public JobStream(Redis redis, String queue) {
    this.redis = redis;
    this.key = redis.key("jobs", queue);
    this.group = queue;
  }

  public void publish(UUID jobId) {
    redis
        .client()
        .xadd(
            key,
            XAddParams.xAddParams().approximateTrimming().maxLen(MAX_LENGTH),
            Map.of(FIELD, jobId.toString()));
  }

  /** Creates the group (and the stream) if missing, reading from the stream's start. */
  public void ensureGroup() {
    try {
      redis.client().xgroupCreate(key, group, new StreamEntryID(0, 0), true);
    } catch (JedisDataException e) {
      if (!e.getMessage().startsWith("BUSYGROUP")) {
        throw e;
      }
    }
  }

  /** New entries for {@code consumer}, waiting up to {@code block} for the first. */
  public List<Delivery> readNew(String consumer, int count, Duration block) {
    var result =
        withGroup(
            () ->
                redis
                    .client()
                    .xreadGroupAsMap(
                        group,
                        consumer,
                        XReadGroupParams.xReadGroupParams()
                            .count(count)
                            .block((int) block.toMillis()),
                        Map.of(key, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY)));
    List<Delivery> deliveries = new ArrayList<>();
    if (result != null) {
      result.values().forEach(entries -> entries.forEach(e -> deliveries.add(delivery(e))));
    }
    return deliveries;
  }

  /** Entries other consumers read but did not acknowledge within {@code minIdle}: taken over. */
  public List<Delivery> reclaim(String consumer, Duration minIdle, int count) {
    var result =
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
    List<Delivery> deliveries = new ArrayList<>();
    if (result != null) {
      for (StreamEntry entry : result.getValue()) {
        // Entries trimmed from the stream come back without fields; the relay covers their jobs.
        if (entry != null && entry.getFields() != null && entry.getFields().containsKey(FIELD)) {
          deliveries.add(delivery(entry));
        } else if (entry != null) {
          ack(entry.getID());
        }
      }
    }
    return deliveries;
  }

  public void ack(StreamEntryID entry) {
    redis.client().xack(key, group, entry);
  }

  /** Entries delivered and not yet acknowledged, across the group. */
  public long pending() {
    return withGroup(() -> redis.client().xpending(key, group).getTotal());
  }

  // After Redis lost its data (restart, FLUSHALL) the group is gone: recreate it and carry on.
  private <T> T withGroup(java.util.function.Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisDataException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("NOGROUP")) {
        throw e;
      }
      ensureGroup();
      return command.get();
    }
  }

  private static Delivery delivery(StreamEntry entry) {
    return new Delivery(entry.getID(), UUID.fromString(entry.getFields().get(FIELD)));
  }

  /** One entry of the stream: which job to look at, and the entry id to acknowledge. */
  public record Delivery(StreamEntryID entryId, UUID jobId) {}
}
