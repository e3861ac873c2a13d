package cloud.openclaw.proxy.metering;

import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.jobs.Backoff;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.redis.StreamGroup;
import cloud.openclaw.platform.store.UsageStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Moves usage events from the {@link UsageBuffer} stream to PostgreSQL. Each pass takes over
 * entries that another writer read and left unacknowledged past the lease (it died mid-batch),
 * reads new entries with the consumer group {@value #GROUP}, records the whole batch with one call
 * of {@link UsageStore#recordEvents} (one statement, idempotent by request id) and only then
 * acknowledges the batch's entries. A crash anywhere leaves the entries pending, to be recorded
 * again by whoever reclaims them, which counts nothing twice.
 *
 * <p>When PostgreSQL fails the writer keeps the batch in hand and retries it with capped
 * exponential backoff until it is recorded or the writer closes; it logs one warning per outage. An
 * entry that cannot be decoded, or an event PostgreSQL refuses (a box that no longer exists), is
 * moved to the dead-letter stream {@code usage:dead} and acknowledged, so it never blocks the
 * stream. When Redis lost its data (NOGROUP) the group is created again and the writer carries on.
 *
 * <p>Meters (Prometheus names): {@code proxy_usage_writer_lag_seconds}, the age of the oldest entry
 * the writer holds not yet recorded in PostgreSQL (0 when it is caught up: it grows while
 * PostgreSQL is down); {@code proxy_usage_writer_pending}, how many entries it holds not yet
 * recorded; {@code proxy_usage_writer_events_total}, events recorded in PostgreSQL for the first
 * time (a replayed event is not counted again); {@code proxy_usage_writer_failures_total}, failed
 * attempts to read Redis or to write PostgreSQL; {@code proxy_usage_writer_dead_letters_total},
 * entries moved to the dead-letter stream.
 */
public final class UsageWriter implements AutoCloseable {
  /** The consumer group all writers share. */
  public static final String GROUP = "usage-writer";

  private static final Logger LOG = Logger.getLogger(UsageWriter.class.getName());
  private static final long DEAD_LETTER_MAX_LENGTH = 100_000;

  private final Redis redis;
  private final UsageStore store;
  private final StreamGroup stream;
  private final String deadLetterKey;
  private final String consumer;
  private final int batchSize;
  private final Duration pollTimeout;
  private final Duration lease;
  private final Backoff backoff;
  private final Counter eventsRecorded;
  private final Counter failures;
  private final Counter deadLetters;
  // Milliseconds since the epoch at which the oldest entry in hand was appended; 0 when none.
  private final AtomicLong oldestInHand = new AtomicLong();
  private final AtomicLong inHand = new AtomicLong();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile boolean running;
  private volatile Thread thread;
  private Instant lastReclaim = Instant.EPOCH;
  private int failedAttempts;
  private Duration linger = Duration.ZERO;

  /**
   * @param consumer this writer's name in the group (unique per process, e.g. the host name)
   * @param batchSize the most entries recorded in one statement
   * @param pollTimeout how long one read waits for new entries
   * @param lease how long an entry may stay unacknowledged with a consumer before another writer
   *     takes it over; longer than a batch normally takes
   * @param backoffBase the first wait after a failure, doubled after each further failure
   * @param backoffMax the longest wait between attempts
   * @param registry where the meters go; null for none
   */
  public UsageWriter(
      Redis redis,
      UsageStore store,
      String consumer,
      int batchSize,
      Duration pollTimeout,
      Duration lease,
      Duration backoffBase,
      Duration backoffMax,
      MeterRegistry registry) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1");
    }
    if (pollTimeout.toMillis() < 1 || lease.toMillis() < 1) {
      throw new IllegalArgumentException("pollTimeout and lease must be at least 1 ms");
    }
    this.redis = Objects.requireNonNull(redis, "redis");
    this.store = Objects.requireNonNull(store, "store");
    this.stream = new StreamGroup(redis, UsageBuffer.streamKey(redis), GROUP);
    this.deadLetterKey = UsageBuffer.deadLetterKey(redis);
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.batchSize = batchSize;
    this.pollTimeout = pollTimeout;
    this.lease = lease;
    this.backoff = new Backoff(backoffBase, backoffMax);
    MeterRegistry meters = registry == null ? new SimpleMeterRegistry() : registry;
    this.eventsRecorded =
        Counter.builder("proxy.usage.writer.events")
            .description("Usage events recorded in PostgreSQL for the first time")
            .register(meters);
    this.failures =
        Counter.builder("proxy.usage.writer.failures")
            .description("Failed attempts to read the usage stream or to write PostgreSQL")
            .register(meters);
    this.deadLetters =
        Counter.builder("proxy.usage.writer.dead.letters")
            .description("Usage stream entries moved to the dead-letter stream")
            .register(meters);
    Gauge.builder("proxy.usage.writer.lag", this, UsageWriter::lagSeconds)
        .description("Age of the oldest usage event read but not yet recorded")
        .baseUnit("seconds")
        .register(meters);
    Gauge.builder("proxy.usage.writer.pending", inHand, AtomicLong::get)
        .description("Usage events read but not yet recorded in PostgreSQL")
        .register(meters);
  }

  /** The same without meters. */
  public UsageWriter(
      Redis redis,
      UsageStore store,
      String consumer,
      int batchSize,
      Duration pollTimeout,
      Duration lease,
      Duration backoffBase,
      Duration backoffMax) {
    this(redis, store, consumer, batchSize, pollTimeout, lease, backoffBase, backoffMax, null);
  }

  /**
   * After a batch smaller than the batch size, waits this long before reading again, so that under
   * a steady trickle of requests PostgreSQL gets fewer, larger writes (each costs far more than a
   * row) for at most this much more lag. The events are safe in the stream meanwhile. Set before
   * {@link #start()}.
   */
  public UsageWriter lingering(Duration linger) {
    if (linger.isNegative()) {
      throw new IllegalArgumentException("linger must not be negative");
    }
    this.linger = linger;
    return this;
  }

  /**
   * Creates the group if missing (a Redis failure here is retried by the loop, not thrown) and
   * starts the loop on a virtual thread.
   */
  public UsageWriter start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    running = true;
    thread = Thread.ofVirtual().name("usage-writer-" + consumer).start(this::loop);
    return this;
  }

  /** True while the loop runs (started, not closed, not died). */
  public boolean isRunning() {
    return running && thread != null && thread.isAlive();
  }

  /** Seconds since the oldest entry the writer holds unacknowledged was appended. */
  public double lagSeconds() {
    long oldest = oldestInHand.get();
    return oldest == 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
  }

  /** Creates the group, and the stream, if missing; the group reads from the stream's start. */
  void ensureGroup() {
    stream.ensure();
  }

  private void loop() {
    boolean groupReady = false;
    while (running) {
      List<Entry> batch;
      try {
        if (!groupReady) {
          ensureGroup();
          groupReady = true;
        }
        batch = nextBatch(false);
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        failed("reading the usage stream", e);
        pause(backoff.after(failedAttempts));
        continue;
      }
      if (batch.isEmpty()) {
        continue;
      }
      if (!recordUntilDone(batch)) {
        LOG.info(
            consumer
                + ": closed with "
                + batch.size()
                + " usage entries unrecorded; they stay pending for another writer");
        return;
      }
      settleQuietly(batch);
      if (batch.size() < batchSize && !linger.isZero() && !pause(linger)) {
        return;
      }
    }
  }

  /**
   * One pass, for tests: takes over entries idle past the lease, reads new ones (waiting up to the
   * poll timeout when there are none), records them in one call and acknowledges them. A failure is
   * thrown and leaves the entries pending. Returns how many entries it settled.
   */
  int runOnce() {
    List<Entry> batch = nextBatch(true);
    if (batch.isEmpty()) {
      return 0;
    }
    record(batch);
    settle(batch);
    return batch.size();
  }

  private List<Entry> nextBatch(boolean forceReclaim) {
    List<Entry> batch = new ArrayList<>();
    Instant now = Instant.now();
    if (forceReclaim || Duration.between(lastReclaim, now).compareTo(lease.dividedBy(2)) >= 0) {
      lastReclaim = now;
      batch.addAll(reclaim(batchSize));
    }
    int room = batchSize - batch.size();
    if (room > 0) {
      // With entries in hand already, only take what is there: no waiting.
      batch.addAll(readNew(room, batch.isEmpty()));
    }
    long oldest =
        batch.stream().mapToLong(entry -> entry.id().getTime()).filter(t -> t > 0).min().orElse(0);
    oldestInHand.set(oldest);
    inHand.set(batch.size());
    return batch;
  }

  private List<Entry> readNew(int count, boolean wait) {
    return stream.readNew(consumer, count, wait ? pollTimeout : null).stream()
        .map(this::decode)
        .toList();
  }

  private List<Entry> reclaim(int count) {
    return stream.reclaim(consumer, lease, count).stream().map(this::decode).toList();
  }

  // Records the batch; true once it is recorded, false when the writer closed first.
  private boolean recordUntilDone(List<Entry> batch) {
    while (true) {
      try {
        record(batch);
        recovered();
        return true;
      } catch (RuntimeException e) {
        failed("recording " + batch.size() + " usage events in PostgreSQL", e);
        if (!pause(backoff.after(failedAttempts))) {
          return false;
        }
        keepLease(batch);
      }
    }
  }

  /**
   * Records the batch's events in one call. When PostgreSQL refuses the batch as data (not as an
   * outage) the events are recorded one at a time and those it refuses are marked for the dead
   * letters. Throws when PostgreSQL is unavailable.
   */
  private void record(List<Entry> batch) {
    List<UsageEvent> events = new ArrayList<>();
    for (Entry entry : batch) {
      if (entry.recordable()) {
        events.add(entry.event());
      }
    }
    try {
      eventsRecorded.increment(store.recordEvents(events));
      return;
    } catch (RuntimeException e) {
      if (!refusedAsData(e)) {
        throw e;
      }
      LOG.log(
          Level.WARNING,
          consumer + ": PostgreSQL refused a batch of usage events; recording them one by one",
          e);
    }
    for (Entry entry : batch) {
      if (!entry.recordable()) {
        continue;
      }
      try {
        eventsRecorded.increment(store.recordEvents(List.of(entry.event())));
      } catch (RuntimeException e) {
        if (!refusedAsData(e)) {
          throw e;
        }
        entry.refuse("refused by PostgreSQL: " + e.getMessage());
      }
    }
  }

  private static boolean refusedAsData(RuntimeException e) {
    return e instanceof DomainException && !(e instanceof UnavailableException);
  }

  /** Dead-letters what cannot be recorded, then acknowledges the whole batch. */
  private void settle(List<Entry> batch) {
    List<StreamEntryID> ids = new ArrayList<>(batch.size());
    for (Entry entry : batch) {
      if (entry.error() != null) {
        deadLetter(entry);
      }
      ids.add(entry.id());
    }
    ack(ids);
    if (batch.size() < batchSize) {
      oldestInHand.set(0);
    }
    inHand.set(0);
  }

  private void settleQuietly(List<Entry> batch) {
    try {
      settle(batch);
    } catch (RuntimeException e) {
      // Recorded but not acknowledged: the entries come back after the lease and count nothing
      // twice.
      failed("acknowledging " + batch.size() + " recorded usage entries", e);
    }
  }

  private void deadLetter(Entry entry) {
    LOG.warning(
        consumer + ": usage entry " + entry.id() + " moved to the dead letters: " + entry.error());
    redis
        .client()
        .xadd(
            deadLetterKey,
            XAddParams.xAddParams().approximateTrimming().maxLen(DEAD_LETTER_MAX_LENGTH),
            Map.of(
                "entry",
                entry.id().toString(),
                UsageBuffer.FIELD,
                entry.raw() == null ? "" : entry.raw(),
                "error",
                entry.error(),
                "consumer",
                consumer));
    deadLetters.increment();
  }

  private void ack(List<StreamEntryID> ids) {
    stream.ack(ids);
  }

  // While PostgreSQL is down, claims the batch again now and then so its entries stay idle for
  // less than the lease and no other writer retries the same batch.
  private void keepLease(List<Entry> batch) {
    try {
      stream.keep(consumer, batch.stream().map(Entry::id).toList());
    } catch (RuntimeException e) {
      // Redis is down too, or lost the group: whoever reclaims the entries records them once.
    }
  }

  private Entry decode(StreamEntry entry) {
    String raw = entry.getFields().get(UsageBuffer.FIELD);
    if (raw == null) {
      return new Entry(
          entry.getID(),
          null,
          entry.getFields().toString(),
          "no '" + UsageBuffer.FIELD + "' field");
    }
    try {
      UsageEvent event = UsageEventJson.read(raw);
      return new Entry(entry.getID(), event, raw, null);
    } catch (Exception e) {
      return new Entry(entry.getID(), null, raw, "not an event: " + e.getMessage());
    }
  }

  private void failed(String what, RuntimeException e) {
    failures.increment();
    if (failedAttempts++ == 0) {
      LOG.log(
          Level.WARNING,
          consumer + ": " + what + " failed; retrying with backoff until it works",
          e);
    }
  }

  private void recovered() {
    if (failedAttempts > 0) {
      LOG.info(
          consumer + ": usage writer works again after " + failedAttempts + " failed attempts");
      failedAttempts = 0;
    }
  }

  // Waits, unless the writer closes first: then false.
  private boolean pause(Duration duration) {
    try {
      return !closing.await(duration.toMillis(), TimeUnit.MILLISECONDS) && running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Stops reading. A batch being recorded is finished and acknowledged first (waiting up to the
   * poll timeout plus the lease); a batch waiting for PostgreSQL to come back is left pending, for
   * another writer to take over.
   */
  @Override
  public void close() {
    running = false;
    closing.countDown();
    if (thread != null) {
      try {
        thread.join(pollTimeout.plus(lease));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One stream entry: its event, or why it has none (then it goes to the dead letters). */
  private static final class Entry {
    private final StreamEntryID id;
    private final UsageEvent event;
    private final String raw;
    private String error;

    Entry(StreamEntryID id, UsageEvent event, String raw, String error) {
      this.id = id;
      this.event = event;
      this.raw = raw;
      this.error = error;
    }

    StreamEntryID id() {
      return id;
    }

    UsageEvent event() {
      return event;
    }

    String raw() {
      return raw;
    }

    String error() {
      return error;
    }

    boolean recordable() {
      return event != null && error == null;
    }

    void refuse(String reason) {
      this.error = reason;
    }
  }
}
