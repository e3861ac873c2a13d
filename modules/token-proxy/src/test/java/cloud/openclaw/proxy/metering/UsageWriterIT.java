package cloud.openclaw.proxy.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.testkit.TcpProxy;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

class UsageWriterIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime() % 1_000_000);
  private static final Instant PERIOD_START = Instant.now().minus(1, ChronoUnit.DAYS);

  private static Database db;
  private static Redis redis;
  private static UsageStore usage;
  private static CustomerStore customers;
  private static BoxStore boxes;
  private static UsageBuffer buffer;

  private Box box;

  @BeforeAll
  static void connect() {
    db = TestServices.database(postgres);
    redis = TestServices.redis(testRedis, 16);
    usage = new UsageStore(db);
    customers = new CustomerStore(db);
    boxes = new BoxStore(db, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
    buffer = new UsageBuffer(redis);
  }

  @AfterAll
  static void disconnect() {
    redis.close();
    db.close();
  }

  @BeforeEach
  void freshCustomerAndStream() {
    testRedis.wipe();
    long n = SEQUENCE.incrementAndGet();
    UUID customerId =
        customers.create(db.execute(), NewCustomer.ofEmail("user" + n + "@example.com")).id();
    box =
        boxes.create(
            db.execute(),
            new NewBox(
                customerId,
                n,
                "bot" + n + "_bot",
                n + ":AAH" + UUID.randomUUID().toString().replace("-", ""),
                List.of(100_000L + n),
                "kimi-k2.6",
                ThinkingLevel.LOW,
                BoxRuntime.LOCAL));
    usage.openPeriod(
        db.execute(),
        customerId,
        PERIOD_START,
        PERIOD_START.plus(30, ChronoUnit.DAYS),
        1_000_000_000L);
  }

  @Test
  void recordsEveryEventOnceAndADuplicateAppendCountsOnce() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<UsageEvent> events = events(120);
    try (UsageWriter writer = writer("w1", Duration.ofSeconds(5), registry).start()) {
      events.forEach(buffer::append);
      // A proxy retrying its append: the same request ids again.
      events.subList(0, 15).forEach(buffer::append);

      awaitRecorded(events);
      await().atMost(Duration.ofSeconds(10)).until(() -> pending() == 0);
    }
    assertRecordedExactly(events);
    assertThat(registry.get("proxy.usage.writer.events").counter().count()).isEqualTo(120);
    assertThat(registry.get("proxy.usage.writer.lag").gauge().value()).isZero();
    assertThat(registry.scrape())
        .contains(
            "proxy_usage_writer_lag_seconds",
            "proxy_usage_writer_pending",
            "proxy_usage_writer_events_total",
            "proxy_usage_writer_failures_total",
            "proxy_usage_writer_dead_letters_total");
  }

  @Test
  void aLingeringWriterRecordsATrickleOfEventsExactlyOnce() {
    List<UsageEvent> events = events(30);
    try (UsageWriter writer =
        writer("lingering", Duration.ofSeconds(5), null)
            .lingering(Duration.ofMillis(300))
            .start()) {
      // One event at a time, as requests end: the writer gathers them while it lingers.
      events.forEach(buffer::append);
      awaitRecorded(events);
      await().atMost(Duration.ofSeconds(10)).until(() -> pending() == 0);
    }
    assertRecordedExactly(events);
  }

  @Test
  void aWriterClosesWithoutWaitingOutItsLinger() {
    List<UsageEvent> events = events(1);
    UsageWriter writer =
        writer("long-linger", Duration.ofSeconds(5), null)
            .lingering(Duration.ofMinutes(10))
            .start();
    // The first read does not wait for the linger; after it the writer lingers ten minutes.
    events.forEach(buffer::append);
    awaitRecorded(events);
    assertTimeoutPreemptively(Duration.ofSeconds(10), writer::close);
    assertThat(writer.isRunning()).isFalse();
  }

  @Test
  void aWriterKilledMidBatchLosesNothingAndDoublesNothing() {
    List<UsageEvent> first = events(40);
    // The group exists before anything is appended, as when writers have run before.
    writer("setup", Duration.ofSeconds(5), null).ensureGroup();
    first.forEach(buffer::append);
    // Writer A reads a batch and dies before acknowledging it; it had committed half of it.
    List<StreamEntry> taken =
        redis
            .client()
            .xreadGroupAsMap(
                UsageWriter.GROUP,
                "dead",
                XReadGroupParams.xReadGroupParams().count(100),
                Map.of(buffer.key(), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY))
            .get(buffer.key());
    assertThat(taken).hasSize(40);
    usage.recordEvents(first.subList(0, 20));
    assertThat(pending()).isEqualTo(40);
    List<UsageEvent> later = events(10);
    later.forEach(buffer::append);
    List<UsageEvent> all = Stream.concat(first.stream(), later.stream()).toList();

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageWriter writerB = writer("b", Duration.ofMillis(500), registry).start()) {
      awaitRecorded(all);
      await().atMost(Duration.ofSeconds(10)).until(() -> pending() == 0);
    }
    assertRecordedExactly(all);
    // Only what A had not committed was new to PostgreSQL.
    assertThat(registry.get("proxy.usage.writer.events").counter().count()).isEqualTo(30);
  }

  @Test
  void runOnceReclaimsWhatADeadConsumerLeftPending() throws InterruptedException {
    List<UsageEvent> events = events(5);
    UsageWriter writer = writer("once", Duration.ofMillis(200), null);
    writer.ensureGroup();
    events.forEach(buffer::append);
    redis
        .client()
        .xreadGroupAsMap(
            UsageWriter.GROUP,
            "dead",
            XReadGroupParams.xReadGroupParams().count(100),
            Map.of(buffer.key(), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
    usage.recordEvents(events.subList(0, 2));

    // Nothing is reclaimable until the dead consumer's lease (200 ms) has run out; then all five
    // are.
    await().atMost(Duration.ofSeconds(5)).until(() -> writer.runOnce() == 5);

    assertRecordedExactly(events);
    assertThat(pending()).isZero();
  }

  @Test
  void postgresDownForThirtySecondsLosesNothingAndDoublesNothing() throws InterruptedException {
    URI target = URI.create(postgres.jdbcUrl().substring("jdbc:".length()));
    try (TcpProxy proxy = TcpProxy.start(target.getHost(), target.getPort());
        Database proxied =
            database("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + target.getPath())) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      List<UsageEvent> appended = new CopyOnWriteArrayList<>();
      try (UsageWriter writer =
          new UsageWriter(
                  redis,
                  new UsageStore(proxied),
                  "through-proxy",
                  50,
                  Duration.ofMillis(200),
                  Duration.ofSeconds(5),
                  Duration.ofMillis(100),
                  Duration.ofSeconds(2),
                  registry)
              .start()) {
        List<UsageEvent> before = events(10);
        before.forEach(buffer::append);
        appended.addAll(before);
        awaitRecorded(before);

        proxy.down();
        AtomicBoolean appending = new AtomicBoolean(true);
        Thread appender =
            Thread.ofVirtual()
                .start(
                    () -> {
                      while (appending.get()) {
                        UsageEvent event = events(1).getFirst();
                        buffer.append(event);
                        appended.add(event);
                        try {
                          Thread.sleep(200);
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    });

        await()
            .during(Duration.ofSeconds(30))
            .atMost(Duration.ofSeconds(40))
            .pollInterval(Duration.ofSeconds(1))
            .untilAsserted(
                () -> {
                  assertThat(recordedRows()).isEqualTo(10);
                  assertThat(writer.isRunning()).isTrue();
                });
        appending.set(false);
        appender.join();
        assertThat(appended.size()).isGreaterThan(100);
        assertThat(registry.get("proxy.usage.writer.failures").counter().count()).isPositive();
        // What the alert ProxyUsageWriterLagging reads: the age of the batch PostgreSQL refuses.
        assertThat(registry.get("proxy.usage.writer.lag").gauge().value()).isGreaterThan(25);
        assertThat(registry.get("proxy.usage.writer.pending").gauge().value()).isPositive();

        proxy.up();

        awaitRecorded(appended);
        await().atMost(Duration.ofSeconds(10)).until(() -> pending() == 0);
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> registry.get("proxy.usage.writer.lag").gauge().value() == 0);
        assertThat(registry.get("proxy.usage.writer.pending").gauge().value()).isZero();
      }
      assertRecordedExactly(appended);
      assertThat(registry.get("proxy.usage.writer.events").counter().count())
          .isEqualTo(appended.size());
    }
  }

  @Test
  void recreatesTheGroupAfterRedisLostItsData() {
    List<UsageEvent> before = events(5);
    List<UsageEvent> after = events(5);
    try (UsageWriter writer = writer("w1", Duration.ofSeconds(1), null).start()) {
      before.forEach(buffer::append);
      awaitRecorded(before);

      testRedis.wipe();
      after.forEach(buffer::append);

      awaitRecorded(Stream.concat(before.stream(), after.stream()).toList());
      await().atMost(Duration.ofSeconds(10)).until(() -> pending() == 0);
      assertThat(writer.isRunning()).isTrue();
    }
    assertRecordedExactly(Stream.concat(before.stream(), after.stream()).toList());
  }

  @Test
  void malformedAndRefusedEntriesGoToTheDeadLettersAndTheRestIsRecorded() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<UsageEvent> good = events(6);
    UsageEvent unknownBox =
        new UsageEvent(
            "req-" + UUID.randomUUID(),
            box.customerId(),
            UUID.randomUUID(),
            "kimi-k2.6",
            10,
            10,
            0,
            0,
            UsageOutcome.OK,
            false,
            100,
            50,
            Instant.now(),
            null);
    try (UsageWriter writer = writer("w1", Duration.ofSeconds(5), registry).start()) {
      good.subList(0, 3).forEach(buffer::append);
      redis.client().xadd(buffer.key(), StreamEntryID.NEW_ENTRY, Map.of("event", "{not json"));
      redis.client().xadd(buffer.key(), StreamEntryID.NEW_ENTRY, Map.of("other", "x"));
      redis
          .client()
          .xadd(
              buffer.key(),
              StreamEntryID.NEW_ENTRY,
              Map.of("event", "{\"requestId\":\"r\",\"model\":\"m\"}"));
      buffer.append(unknownBox);
      good.subList(3, 6).forEach(buffer::append);

      awaitRecorded(good);
      await().atMost(Duration.ofSeconds(10)).until(() -> pending() == 0);
    }
    assertRecordedExactly(good);
    assertThat(usage.findEvent(db.execute(), unknownBox.requestId())).isEmpty();
    String deadKey = UsageBuffer.deadLetterKey(redis);
    List<StreamEntry> dead = redis.client().xrange(deadKey, "-", "+");
    assertThat(dead).hasSize(4);
    assertThat(dead.getLast().getFields().get("event")).isEqualTo(Json.write(unknownBox));
    assertThat(dead.getLast().getFields().get("error")).contains("refused by PostgreSQL");
    assertThat(registry.get("proxy.usage.writer.dead.letters").counter().count()).isEqualTo(4);
  }

  @Test
  void anAppendedEventReadsBackEqual() {
    UsageEvent event = events(1).getFirst();
    buffer.append(event);
    List<StreamEntry> entries = redis.client().xrange(buffer.key(), "-", "+");
    assertThat(entries).hasSize(1);
    try {
      assertThat(
              Json.MAPPER.readValue(entries.getFirst().getFields().get("event"), UsageEvent.class))
          .isEqualTo(event);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private UsageWriter writer(String consumer, Duration lease, MeterRegistry registry) {
    return new UsageWriter(
        redis,
        usage,
        consumer,
        25,
        Duration.ofMillis(200),
        lease,
        Duration.ofMillis(50),
        Duration.ofSeconds(1),
        registry);
  }

  private static Database database(String url) {
    return Database.connect(new DatabaseSettings(url, postgres.user(), postgres.password(), 4));
  }

  private List<UsageEvent> events(int count) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long prompt = random.nextLong(1, 5_000);
      long completion = random.nextLong(1, 2_000);
      events.add(
          new UsageEvent(
              "req-" + UUID.randomUUID(),
              box.customerId(),
              box.id(),
              "kimi-k2.6",
              prompt,
              completion,
              random.nextLong(0, prompt),
              random.nextLong(0, completion),
              random.nextInt(10) == 0 ? UsageOutcome.REJECTED : UsageOutcome.OK,
              false,
              random.nextInt(100, 3_000),
              random.nextInt(10, 500),
              Instant.now().truncatedTo(ChronoUnit.MICROS),
              null));
    }
    return events;
  }

  private long recordedRows() {
    return Rows.longValue(
        db.execute()
            .get("SELECT count(*) AS n FROM usage_events WHERE customer_id = ?", box.customerId())
            .orElseThrow(),
        "n");
  }

  private long pending() {
    return redis.client().xpending(buffer.key(), UsageWriter.GROUP).getTotal();
  }

  private void awaitRecorded(List<UsageEvent> events) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> recordedRows() >= events.size());
  }

  /** Every event is a row once, and the period's totals are exactly their sums. */
  private void assertRecordedExactly(List<UsageEvent> events) {
    assertThat(recordedRows()).isEqualTo(events.size());
    for (UsageEvent event : events) {
      assertThat(usage.findEvent(db.execute(), event.requestId())).isPresent();
    }
    UsageMonthly period = usage.currentPeriod(box.customerId(), Instant.now()).orElseThrow();
    assertThat(period.promptTokens())
        .isEqualTo(events.stream().mapToLong(UsageEvent::promptTokens).sum());
    assertThat(period.completionTokens())
        .isEqualTo(events.stream().mapToLong(UsageEvent::completionTokens).sum());
    assertThat(period.cachedTokens())
        .isEqualTo(events.stream().mapToLong(UsageEvent::cachedTokens).sum());
    assertThat(period.reasoningTokens())
        .isEqualTo(events.stream().mapToLong(UsageEvent::reasoningTokens).sum());
    assertThat(period.requests())
        .isEqualTo(events.stream().filter(e -> e.outcome() != UsageOutcome.REJECTED).count());
  }
}
