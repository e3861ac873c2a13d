package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.redis.StreamGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The Redis half of the job queue: a stream of job ids read by one consumer group. It only says
 * "look at job X"; what the job is and whether it is done lives in PostgreSQL.
 */
public final class JobStream {
  private static final String FIELD = "job";
  // Acknowledged entries stay in a stream until trimmed; this bounds it (approximately).
  private static final long MAX_LENGTH = 100_000;

  private final StreamGroup stream;

  public JobStream(Redis redis, String queue) {
    this.stream = new StreamGroup(redis, redis.key("jobs", queue), queue);
  }

  public void publish(UUID jobId) {
    stream.add(Map.of(FIELD, jobId.toString()), MAX_LENGTH);
  }

  /** Creates the group (and the stream) if missing, reading from the stream's start. */
  public void ensureGroup() {
    stream.ensure();
  }

  /** New entries for {@code consumer}, waiting up to {@code block} for the first. */
  public List<Delivery> readNew(String consumer, int count, Duration block) {
    return deliveries(stream.readNew(consumer, count, block));
  }

  /** Entries other consumers read but did not acknowledge within {@code minIdle}: taken over. */
  public List<Delivery> reclaim(String consumer, Duration minIdle, int count) {
    return deliveries(stream.reclaim(consumer, minIdle, count));
  }

  public void ack(StreamEntryID entry) {
    stream.ack(List.of(entry));
  }

  /** Entries delivered and not yet acknowledged, across the group. */
  public long pending() {
    return stream.pending();
  }

  private List<Delivery> deliveries(List<StreamEntry> entries) {
    List<Delivery> deliveries = new ArrayList<>();
    for (StreamEntry entry : entries) {
      String job = entry.getFields().get(FIELD);
      if (job == null) {
        stream.ack(List.of(entry.getID())); // not one of ours: nothing to do with it
      } else {
        deliveries.add(new Delivery(entry.getID(), UUID.fromString(job)));
      }
    }
    return deliveries;
  }

  /** One entry of the stream: which job to look at, and the entry id to acknowledge. */
  public record Delivery(StreamEntryID entryId, UUID jobId) {}
}
