package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.testkit.PrivateRedis;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The api's sessions across Redis restarts, on a redis-server of the test's own: killed (kill -9)
 * right after a logout was answered and started again on its append-only file (as the platform runs
 * it), then started again empty. Every revocation holds both times (a logged-out session, a refresh
 * token used once), and sessions nobody revoked go on.
 */
@ServerTest
class RedisRestartIT {
  static Path aofDir;
  static PrivateRedis redis;
  static ApiFixture api;
  private final ApiClient client;

  RedisRestartIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) throws IOException {
    aofDir = Files.createTempDirectory("redis-restart-it");
    redis = PrivateRedis.startPersistent(aofDir);
    api = ApiFixture.start(RedisRestartIT.class, Map.of("redis.url", redis.url()));
    api.routing(routing);
  }

  @AfterStop
  static void stop() throws IOException {
    try {
      api.close();
    } finally {
      redis.close();
      try (Stream<Path> files = Files.walk(aofDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(RedisRestartIT::delete);
      }
    }
  }

  @Test
  void revocationsHoldAfterAKillWithTheAppendOnlyFileAndAfterARestartEmpty() throws IOException {
    Customer customer = api.customer("starter");
    ApiClient.Tokens kept = client.signIn(customer.id());
    ApiClient.Tokens first = client.signIn(customer.id());
    ApiClient.Answer refreshed =
        client.post("/auth/refresh", null, ApiClient.json(Map.of("refreshToken", first.refresh())));
    assertThat(refreshed.status()).isEqualTo(200);
    String access = refreshed.json().path("accessToken").asText();
    String refresh = refreshed.json().path("refreshToken").asText();
    assertThat(
            client
                .post("/auth/logout", access, ApiClient.json(Map.of("refreshToken", refresh)))
                .status())
        .isEqualTo(204);

    // Writes acknowledged one by one up to the kill, to count what the append-only file keeps.
    String list = api.redisPrefix + "acknowledged";
    int acknowledged = 0;
    try (RedisClient raw = RedisClient.create(redis.host(), redis.port())) {
      for (; acknowledged < 5_000; acknowledged++) {
        raw.rpush(list, Integer.toString(acknowledged));
      }
    }

    // kill -9 as soon as the logout is answered: what Redis acknowledged is in its file already.
    redis.kill();
    redis.up();
    assertRevokedAndKept(first, access, refresh, kept);
    try (RedisClient raw = RedisClient.create(redis.host(), redis.port())) {
      long survived = raw.llen(list);
      System.out.printf(
          "RedisRestartIT: kill -9 of Redis with appendonly yes: %d of %d acknowledged writes kept%n",
          survived, acknowledged);
      assertThat(survived).isEqualTo(acknowledged);
    }

    // Restarted empty (its disk lost): the deny-list comes back from PostgreSQL.
    redis.stop();
    try (Stream<Path> files = Files.list(aofDir)) {
      files.forEach(RedisRestartIT::delete);
    }
    redis.up();
    assertRevokedAndKept(first, access, refresh, kept);
    // And the sessions still work end to end: a new sign-in, refreshed once, its token spent.
    ApiClient.Tokens again = client.signIn(customer.id());
    assertThat(refresh(again.refresh())).isEqualTo(200);
    assertThat(refresh(again.refresh())).isEqualTo(401);
  }

  private void assertRevokedAndKept(
      ApiClient.Tokens first,
      String loggedOutAccess,
      String loggedOutRefresh,
      ApiClient.Tokens kept) {
    // The api's connections come back once Redis is back: the first answers may still be 503.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> client.get("/me", kept.access()).status() == 200);
    assertThat(client.get("/me", loggedOutAccess).status()).as("logged-out access").isEqualTo(401);
    assertThat(refresh(loggedOutRefresh)).as("logged-out refresh token").isEqualTo(401);
    assertThat(refresh(first.refresh())).as("refresh token used once").isEqualTo(401);
    assertThat(client.get("/me", first.access()).status()).as("unrevoked access").isEqualTo(200);
  }

  private int refresh(String refreshToken) {
    return client
        .post("/auth/refresh", null, ApiClient.json(Map.of("refreshToken", refreshToken)))
        .status();
  }

  private static void delete(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
