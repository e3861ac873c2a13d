package cloud.openclaw.api.me;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.testkit.PrivateRedis;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The api's live events keep flowing when Redis restarts (a private server: the shared one never).
 */
class CustomerEventsIT {
  @Test
  void liveEventsFlowAgainAfterRedisRestarts() {
    try (PrivateRedis server = PrivateRedis.start();
        Redis redis = Redis.connect(new RedisSettings(server.url(), "events:", 4));
        CustomerEvents events = new CustomerEvents(redis)) {
      EventBus bus = new EventBus(redis);
      UUID customer = UUID.randomUUID();
      List<String> heard = new CopyOnWriteArrayList<>();
      events.listen(customer, heard::add);
      publishUntilHeard(bus, customer, "before", heard);

      assertThat(events.isSubscribed()).isTrue();

      server.stop();
      await().atMost(5, TimeUnit.SECONDS).until(() -> !redis.heldLive());
      assertThat(redis.heldDown()).containsExactly(EventBus.customerChannelPrefix() + "*");
      server.up();

      publishUntilHeard(bus, customer, "after", heard);
      assertThat(redis.heldLive()).isTrue();
    }
  }

  private static void publishUntilHeard(
      EventBus bus, UUID customer, String message, List<String> heard) {
    await()
        .atMost(5, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () -> {
              bus.publish(EventBus.customerChannel(customer), message);
              return heard.contains(message);
            });
  }
}
