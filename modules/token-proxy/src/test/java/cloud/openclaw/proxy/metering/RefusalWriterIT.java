package cloud.openclaw.proxy.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.proxy.auth.CustomerLimits;
import cloud.openclaw.proxy.limits.Limiter;
import cloud.openclaw.testkit.TcpProxy;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The refusal counts reach PostgreSQL, also when it was away for a while. */
class RefusalWriterIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  private static Database db;
  private static Redis redis;
  private static UsageStore usage;
  private static Limiter limiter;

  @BeforeAll
  static void connect() {
    db = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    usage = new UsageStore(db);
    limiter = new Limiter(redis, usage, new UsageBuffer(redis), 90, Clock.systemUTC());
  }

  @AfterAll
  static void disconnect() {
    redis.close();
    db.close();
  }

  @Test
  void countsThatCouldNotBeWrittenAreWrittenWhenPostgresIsBack() {
    CustomerLimits limits = customerWithAPeriod();
    URI target = URI.create(postgres.jdbcUrl().substring("jdbc:".length()));
    try (TcpProxy network = TcpProxy.start(target.getHost(), target.getPort());
        Database proxied =
            Database.connect(
                new DatabaseSettings(
                    "jdbc:postgresql://" + network.host() + ":" + network.port() + target.getPath(),
                    postgres.user(),
                    postgres.password(),
                    2))) {
      RefusalWriter writer =
          new RefusalWriter(limiter, new UsageStore(proxied), Duration.ofHours(1));
      limiter.refused(limits);
      limiter.refused(limits);
      assertThat(writer.runOnce()).isTrue();
      assertThat(recorded(limits)).isEqualTo(2);

      network.down();
      limiter.refused(limits);
      assertThat(writer.runOnce()).isFalse();
      limiter.refused(limits);
      network.up();

      await().atMost(Duration.ofSeconds(30)).until(writer::runOnce);
      assertThat(recorded(limits)).isEqualTo(4);
      assertThat(limiter.takeRefusals(10)).isEmpty();
    }
  }

  @Test
  void closingWritesWhatIsCountedSoFar() {
    CustomerLimits limits = customerWithAPeriod();
    RefusalWriter writer = new RefusalWriter(limiter, usage, Duration.ofHours(1)).start();
    for (int i = 0; i < 50; i++) {
      limiter.refused(limits);
    }

    writer.close();

    assertThat(recorded(limits)).isEqualTo(50);
  }

  private static CustomerLimits customerWithAPeriod() {
    UUID customer = TestTokenProxy.activeCustomer(db, "starter");
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.DAYS);
    Instant end = start.plus(30, ChronoUnit.DAYS);
    usage.openPeriod(db.execute(), customer, start, end, 1_000_000);
    return new CustomerLimits(
        customer, true, "starter", 10, List.of("kimi-k2.6"), start, end, 1_000_000, false);
  }

  private static long recorded(CustomerLimits limits) {
    return usage.currentPeriod(limits.customerId(), Instant.now()).orElseThrow().rejectedRequests();
  }
}
