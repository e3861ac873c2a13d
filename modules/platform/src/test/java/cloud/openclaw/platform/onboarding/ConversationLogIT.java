package cloud.openclaw.platform.onboarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.testkit.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A conversation's events in a Redis stream: in order, from a cursor, waited for, expiring. */
class ConversationLogIT {
  @RegisterExtension static final TestRedis testRedis = new TestRedis();
  static Redis redis;
  static ConversationLog log;

  @BeforeAll
  static void connect() {
    redis = Redis.connect(new RedisSettings(testRedis.url(), testRedis.prefix(), 8));
    log = new ConversationLog(redis, Duration.ofDays(7));
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  static String conversation() {
    return "web:" + UUID.randomUUID();
  }

  @Test
  void eventsComeBackInOrderFromTheStartOrAfterACursor() {
    String conversation = conversation();
    String first = log.append(conversation, "{\"type\":\"message\",\"text\":\"one\"}");
    String second = log.append(conversation, "{\"type\":\"message\",\"text\":\"two\"}");
    String third = log.append(conversation, "{\"type\":\"choices\",\"slot\":\"plan\"}");

    for (String start : new String[] {null, "", "0"}) {
      assertThat(log.read(conversation, start, 10, null))
          .extracting(ConversationLog.Entry::id)
          .containsExactly(first, second, third);
    }
    List<ConversationLog.Entry> after = log.read(conversation, first, 10, null);
    assertThat(after).extracting(ConversationLog.Entry::id).containsExactly(second, third);
    assertThat(after.getLast().json()).isEqualTo("{\"type\":\"choices\",\"slot\":\"plan\"}");
    assertThat(log.read(conversation, first, 1, null))
        .extracting(ConversationLog.Entry::id)
        .containsExactly(second);
    assertThat(log.read(conversation, third, 10, null)).isEmpty();
    assertThat(log.last(conversation)).isEqualTo(third);
    // Another conversation's events are its own.
    assertThat(log.read(conversation(), null, 10, null)).isEmpty();
    assertThat(log.last(conversation())).isEqualTo("0");
  }

  @Test
  void aBlockingReadWaitsForTheNextEventOrGivesUp() throws Exception {
    String conversation = conversation();
    String first = log.append(conversation, "{\"type\":\"delta\",\"text\":\"a\"}");

    CompletableFuture<List<ConversationLog.Entry>> waiting =
        CompletableFuture.supplyAsync(
            () -> log.read(conversation, first, 10, Duration.ofSeconds(10)));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !waiting.isDone());
    String next = log.append(conversation, "{\"type\":\"delta\",\"text\":\"b\"}");

    assertThat(waiting.get(5, TimeUnit.SECONDS))
        .extracting(ConversationLog.Entry::id)
        .containsExactly(next);
    long start = System.nanoTime();
    assertThat(log.read(conversation, next, 10, Duration.ofMillis(300))).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(250));
  }

  @Test
  void theConversationExpiresUnlessItGoesOnAndCanBeForgotten() {
    ConversationLog shortLived = new ConversationLog(redis, Duration.ofMillis(600));
    String conversation = conversation();
    shortLived.append(conversation, "{\"type\":\"message\",\"text\":\"hi\"}");
    String key = redis.key("onboarding", "log", conversation);
    assertThat(redis.client().pttl(key)).isBetween(1L, 600L);

    await().atMost(Duration.ofSeconds(5)).until(() -> !redis.client().exists(key));
    assertThat(shortLived.read(conversation, null, 10, null)).isEmpty();

    String kept = conversation();
    log.append(kept, "{\"type\":\"message\",\"text\":\"hi\"}");
    assertThat(redis.client().pttl(redis.key("onboarding", "log", kept)))
        .isGreaterThan(Duration.ofDays(6).toMillis());
    log.delete(kept);
    assertThat(log.read(kept, null, 10, null)).isEmpty();
  }

  @Test
  void aLongConversationKeepsItsNewestEntries() {
    String conversation = conversation();
    String last = null;
    for (int i = 0; i < ConversationLog.KEEP + 500; i++) {
      last = log.append(conversation, "{\"type\":\"delta\",\"text\":\"" + i + "\"}");
    }
    long length = redis.client().xlen(redis.key("onboarding", "log", conversation));
    // Trimming is approximate (whole radix-tree nodes): never below KEEP, not far above.
    assertThat(length).isBetween(ConversationLog.KEEP, ConversationLog.KEEP + 200);
    assertThat(log.last(conversation)).isEqualTo(last);
  }
}
