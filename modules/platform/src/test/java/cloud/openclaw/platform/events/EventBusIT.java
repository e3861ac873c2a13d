package cloud.openclaw.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.testkit.TestRedis;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
}
