package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.redis.StreamGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The Redis half of the job queue: two streams of job ids, one per {@link Lane} ({@code
 * jobs:<queue>} for lifecycle jobs, {@code jobs:<queue>:updates} for updates), each read by one
 * consumer group. It only says "look at job X"; what the job is and whether it is done lives in
 * PostgreSQL, so a job announced on the other lane, or twice, still runs once.
 */
public final class JobStream {
  private static final String FIELD = "job";
  // Acknowledged entries stay in a stream until trimmed; this bounds it (approximately).
  private static final long MAX_LENGTH = 100_000;

  private final Map<Lane, StreamGroup> lanes = new EnumMap<>(Lane.class);

  public JobStream(Redis redis, String queue) {
    lanes.put(Lane.LIFECYCLE, new StreamGroup(redis, redis.key("jobs", queue), queue));
    lanes.put(Lane.UPDATES, new StreamGroup(redis, redis.key("jobs", queue, "updates"), queue));
  }

  /** Announces the job on its type's lane. */
  public void publish(UUID jobId, JobType type) {
    publish(jobId, type.lane());
  }

  public void publish(UUID jobId, Lane lane) {
    lanes.get(lane).add(Map.of(FIELD, jobId.toString()), MAX_LENGTH);
  }

  /** Creates the groups (and the streams) if missing, reading from the streams' start. */
  public void ensureGroup() {
    lanes.values().forEach(StreamGroup::ensure);
  }

  /**
   * New entries for {@code consumer} from {@code from}, lifecycle first: when it has any, they are
   * returned at once; otherwise the read waits up to {@code block} on the last lane read.
   */
  public List<Delivery> readNew(String consumer, Set<Lane> from, int count, Duration block) {
    List<Lane> order = from.stream().sorted().toList();
    for (int i = 0; i < order.size(); i++) {
      boolean last = i == order.size() - 1;
      List<Delivery> deliveries =
          deliveries(
              order.get(i), lanes.get(order.get(i)).readNew(consumer, count, last ? block : null));
      if (!deliveries.isEmpty() || last) {
        return deliveries;
      }
    }
    return List.of();
  }

  /** New entries of every lane (see {@link #readNew(String, Set, int, Duration)}). */
  public List<Delivery> readNew(String consumer, int count, Duration block) {
    return readNew(consumer, Set.of(Lane.values()), count, block);
  }

  /** Entries other consumers read but did not acknowledge within {@code minIdle}: taken over. */
  public List<Delivery> reclaim(String consumer, Set<Lane> from, Duration minIdle, int count) {
    List<Delivery> deliveries = new ArrayList<>();
    for (Lane lane : from.stream().sorted().toList()) {
      deliveries.addAll(deliveries(lane, lanes.get(lane).reclaim(consumer, minIdle, count)));
    }
    return deliveries;
  }

  public void ack(Delivery delivery) {
    lanes.get(delivery.lane()).ack(List.of(delivery.entryId()));
  }

  /** Entries delivered and not yet acknowledged, across the group, on every lane. */
  public long pending() {
    return lanes.values().stream().mapToLong(StreamGroup::pending).sum();
  }

  private List<Delivery> deliveries(Lane lane, List<StreamEntry> entries) {
    List<Delivery> deliveries = new ArrayList<>();
    for (StreamEntry entry : entries) {
      String job = entry.getFields().get(FIELD);
      if (job == null) {
        lanes.get(lane).ack(List.of(entry.getID())); // not one of ours: nothing to do with it
      } else {
        deliveries.add(new Delivery(lane, entry.getID(), UUID.fromString(job)));
      }
    }
    return deliveries;
  }

  /** One entry of a stream: which job to look at, and the lane and entry id to acknowledge. */
  public record Delivery(Lane lane, StreamEntryID entryId, UUID jobId) {}
}
