package cloud.openclaw.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.testkit.PrivateRedis;
import cloud.openclaw.testkit.TcpProxy;
import cloud.openclaw.testkit.TestRedis;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ClientKillParams;

class EventBusIT {
  @RegisterExtension static final TestRedis redisServer = new TestRedis();
  static Redis redis;

  @BeforeAll
  static void connect() {
    redis = Redis.connect(new RedisSettings(redisServer.url(), redisServer.prefix(), 8));
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  @Test
  void subscribersOfACustomerChannelHearItsEventsAndNoOneElses() {
    EventBus bus = new EventBus(redis);
    UUID alice = UUID.randomUUID();
    UUID bob = UUID.randomUUID();
    List<String> heard = new CopyOnWriteArrayList<>();
    try (EventBus.Subscription ignored =
        bus.subscribe(EventBus.customerChannel(alice), heard::add)) {
      assertThat(bus.publish(EventBus.customerChannel(bob), "{\"step\":\"token\"}")).isZero();
      assertThat(bus.publish(EventBus.customerChannel(alice), "{\"step\":\"live\"}")).isEqualTo(1);
      await().atMost(5, TimeUnit.SECONDS).until(() -> heard.size() == 1);
      assertThat(heard).containsExactly("{\"step\":\"live\"}");
    }
    assertThat(bus.publish(EventBus.customerChannel(alice), "after close")).isZero();
  }

  @Test
  void aFailingListenerDoesNotEndTheSubscription() {
    EventBus bus = new EventBus(redis);
    List<String> heard = new CopyOnWriteArrayList<>();
    try (EventBus.Subscription ignored =
        bus.subscribe(
            "events:test",
            message -> {
              if (message.equals("boom")) {
                throw new IllegalStateException("listener bug");
              }
              heard.add(message);
            })) {
      bus.publish("events:test", "boom");
      bus.publish("events:test", "fine");
      await().atMost(5, TimeUnit.SECONDS).until(() -> heard.contains("fine"));
    }
  }

  @Test
  void aSubscriptionWhoseConnectionIsKilledHearsAgainAndTellsItsOwner() {
    EventBus bus = new EventBus(redis);
    List<String> heard = new CopyOnWriteArrayList<>();
    AtomicInteger subscribed = new AtomicInteger();
    try (EventBus.Subscription subscription =
        bus.subscribe("events:killed", heard::add, subscribed::incrementAndGet)) {
      assertThat(subscription.live()).isTrue();
      assertThat(subscribed).hasValue(1);

      killByName(subscription.clientName());

      hearsAgain(bus, "events:killed", heard);
      assertThat(subscribed).hasValue(2);
      assertThat(subscription.live()).isTrue();
    }
  }

  @Test
  void aSubscriptionHearsAgainAfterRedisRestartsAndIsDownInHealthMeanwhile() {
    try (PrivateRedis server = PrivateRedis.start();
        Redis own = Redis.connect(new RedisSettings(server.url(), "restart:", 4))) {
      EventBus bus = new EventBus(own);
      List<String> heard = new CopyOnWriteArrayList<>();
      AtomicInteger subscribed = new AtomicInteger();
      try (EventBus.Subscription subscription =
          bus.subscribe("events:restart", heard::add, subscribed::incrementAndGet)) {
        assertThat(own.heldLive()).isTrue();

        server.stop();

        await().atMost(5, TimeUnit.SECONDS).until(() -> !subscription.live());
        assertThat(own.heldLive()).isFalse();
        assertThat(own.heldDown()).containsExactly("events:restart");

        server.up();

        hearsAgain(bus, "events:restart", heard);
        assertThat(own.heldLive()).isTrue();
        assertThat(own.heldDown()).isEmpty();
        assertThat(subscribed).hasValue(2);
      }
      assertThat(own.heldDown()).isEmpty();
    }
  }

  @Test
  void aSubscriptionWhoseConnectionWentSilentIsFoundOutByItsHeartbeat() {
    try (TcpProxy network = TcpProxy.start(host(), port());
        Redis throughProxy =
            Redis.connect(
                new RedisSettings(
                    "redis://" + network.host() + ":" + network.port(), redisServer.prefix(), 4))) {
      List<String> heard = new CopyOnWriteArrayList<>();
      AtomicInteger subscribed = new AtomicInteger();
      try (EventBus.Subscription ignored =
          new EventBus(throughProxy)
              .subscribe("events:silent", heard::add, subscribed::incrementAndGet)) {
        // Redis's host is gone without a word: the connection neither answers nor ends.
        network.hang();

        await().atMost(10, TimeUnit.SECONDS).until(() -> subscribed.get() == 2);
        await()
            .atMost(10, TimeUnit.SECONDS)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  new EventBus(redis).publish("events:silent", "after");
                  return heard.contains("after");
                });
      }
    }
  }

  @Test
  void quietSubscriptionsStayUpThroughTheirHeartbeats() {
    EventBus bus = new EventBus(redis);
    AtomicInteger subscribed = new AtomicInteger();
    try (EventBus.Subscription channel =
            bus.subscribe("events:quiet", message -> {}, subscribed::incrementAndGet);
        EventBus.Subscription pattern =
            bus.subscribeAll("events:quiet:", (c, m) -> {}, subscribed::incrementAndGet)) {
      await()
          .during(4, TimeUnit.SECONDS)
          .atMost(6, TimeUnit.SECONDS)
          .until(() -> channel.live() && pattern.live() && subscribed.get() == 2);
    }
  }

  @Test
  void aSubscriptionToEveryCustomersChannelHearsAgainAfterRedisRestarts() {
    try (PrivateRedis server = PrivateRedis.start();
        Redis own = Redis.connect(new RedisSettings(server.url(), "restart:", 4))) {
      EventBus bus = new EventBus(own);
      UUID customer = UUID.randomUUID();
      List<String> heard = new CopyOnWriteArrayList<>();
      try (EventBus.Subscription ignored =
          bus.subscribeAll(
              EventBus.customerChannelPrefix(),
              (channel, message) -> heard.add(channel + " " + message),
              () -> {})) {
        server.restart();

        hearsAgain(
            bus,
            EventBus.customerChannel(customer),
            heard,
            EventBus.customerChannel(customer) + " after");
      }
    }
  }

  private static void hearsAgain(EventBus bus, String channel, List<String> heard) {
    hearsAgain(bus, channel, heard, "after");
  }

  // Publishes "after" until the subscription hears it (as {@code expected}): it is subscribed
  // again, whenever that is.
  private static void hearsAgain(
      EventBus bus, String channel, List<String> heard, String expected) {
    await()
        .atMost(5, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () -> {
              bus.publish(channel, "after");
              return heard.contains(expected);
            });
  }

  private static String host() {
    return URI.create(redisServer.url()).getHost();
  }

  private static int port() {
    return URI.create(redisServer.url()).getPort();
  }

  // Kills only this test's own connection: by the name it carries, then by its id.
  private static void killByName(String name) {
    try (Jedis admin = new Jedis(URI.create(redisServer.url()))) {
      String id =
          admin
              .clientList()
              .lines()
              .filter(line -> line.contains(" name=" + name + " "))
              .map(line -> line.replaceFirst("^id=(\\d+) .*$", "$1"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no connection named " + name));
      assertThat(admin.clientKill(new ClientKillParams().id(id))).isEqualTo(1);
    }
  }
}
