package cloud.openclaw.proxy;

import static cloud.openclaw.proxy.ProxyHarness.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.testkit.PrivateRedis;
import cloud.openclaw.testkit.TcpProxy;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Revocations still reach every replica within a second after the replicas' subscriptions were cut
 * or Redis restarted. Two replicas on a redis-server of this test's own (the shared one is never
 * restarted, and here every connection to it is the test's to kill); replica A reaches it through a
 * network the test can cut.
 */
class ProxyResubscriptionIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  static PrivateRedis server;
  static TcpProxy networkOfA;
  static ProxyHarness harness;

  @BeforeAll
  static void start() {
    server = PrivateRedis.start();
    networkOfA = TcpProxy.start(server.host(), server.port());
    harness =
        new ProxyHarness(
            postgres,
            redis,
            Map.of("redis.url", "redis://" + networkOfA.host() + ":" + networkOfA.port()),
            Map.of("redis.url", server.url()));
  }

  @AfterAll
  static void stop() {
    TestServices.closeAll(harness, networkOfA, server);
  }

  @Test
  void aRevocationReachesTheOtherReplicaAfterItsSubscriptionWasKilled() throws Exception {
    ProxyHarness.Agent agent = agentKnownToBothReplicas();

    try (Jedis admin = new Jedis(server.host(), server.port())) {
      assertThat(admin.clientKill(new ClientKillParams().type(ClientType.PUBSUB)))
          .as("both replicas' subscriptions killed")
          .isGreaterThanOrEqualTo(4);
    }
    revokeOnA(agent);

    refusedByBWithinOneSecond(agent);
  }

  @Test
  void aRevocationReachesTheOtherReplicaWithinOneSecondOfRedisBeingBack() throws Exception {
    ProxyHarness.Agent agent = agentKnownToBothReplicas();
    assertThat(subscriptionsHealth(harness.replicaB)).isEqualTo("UP");

    server.stop();
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> subscriptionsHealth(harness.replicaB).equals("DOWN"));
    assertThat(health(harness.replicaB).statusCode()).isEqualTo(503);

    server.up();
    Instant back = Instant.now();
    revokeOnA(agent);

    refusedByBWithinOneSecond(agent);
    System.out.println(
        "ProxyResubscriptionIT: Redis back → the revoked token refused by replica B in "
            + Duration.between(back, Instant.now()).toMillis()
            + " ms");
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> subscriptionsHealth(harness.replicaB).equals("UP"));
    assertThat(health(harness.replicaB).statusCode()).isEqualTo(200);
  }

  @Test
  void aBoxRevocationRetriedAfterReplicaALostRedisReachesTheOtherReplica() throws Exception {
    ProxyHarness.Agent agent = agentKnownToBothReplicas();

    // A revokes in PostgreSQL, then cannot tell Redis: the operator gets an error and retries.
    networkOfA.down();
    assertThatThrownBy(() -> harness.internalA.boxTokens(agent.boxId(), "revoke"))
        .isInstanceOf(RuntimeException.class);
    networkOfA.up();
    await()
        .atMost(5, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(10))
        .ignoreExceptions()
        .until(() -> harness.internalA.boxTokens(agent.boxId(), "revoke") != null);

    refusedByBWithinOneSecond(agent);
  }

  // Both replicas have the token in memory.
  private static ProxyHarness.Agent agentKnownToBothReplicas() throws Exception {
    ProxyHarness.Agent agent = harness.agent("starter", 1_000_000);
    assertThat(harness.chat(harness.replicaA, agent.token(), message("a")).statusCode())
        .isEqualTo(200);
    assertThat(harness.chat(harness.replicaB, agent.token(), message("b")).statusCode())
        .isEqualTo(200);
    return agent;
  }

  // As the operator would: again until it succeeds (a pooled connection to the Redis that went
  // away fails once).
  private static void revokeOnA(ProxyHarness.Agent agent) {
    await()
        .atMost(5, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(10))
        .ignoreExceptions()
        .until(() -> harness.internalA.revokeToken(agent.tokenId()) != null);
  }

  private static void refusedByBWithinOneSecond(ProxyHarness.Agent agent) throws Exception {
    await()
        .atMost(1, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> harness.chat(harness.replicaB, agent.token(), message("c")).statusCode() == 403);
    TokenProxyIT.assertError(
        harness.chat(harness.replicaB, agent.token(), message("d")), 403, "token_revoked");
  }

  private static HttpResponse<String> health(RunningService replica) throws Exception {
    return harness.getInternal(replica, "/observe/health");
  }

  private static String subscriptionsHealth(RunningService replica) throws Exception {
    JsonNode checks = ProxyHarness.json(health(replica)).path("checks");
    for (JsonNode check : checks) {
      if (check.path("name").asText().equals("redis-subscriptions")) {
        return check.path("status").asText();
      }
    }
    return "absent";
  }
}
