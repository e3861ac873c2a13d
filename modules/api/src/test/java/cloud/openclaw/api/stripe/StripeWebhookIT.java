package cloud.openclaw.api.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.billing.StripeEventSignal;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.StripeEventStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.net.Webhook;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The webhook endpoint on real PostgreSQL and Redis: one event delivered many times at once is
 * stored once, and the billing worker is woken.
 */
class StripeWebhookIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static final String SECRET = "whsec_webhook_it";
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static Database database;
  static Redis redis;
  static StripeEventSignal signal;
  static WebServer server;

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres, 8);
    redis = TestServices.redis(testRedis);
    signal = new StripeEventSignal(redis);
    StripeWebhookService webhook =
        new StripeWebhookService(
            database,
            new StripeEventStore(database),
            signal,
            SECRET,
            Duration.ofSeconds(300),
            Clock.systemUTC());
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(
                routing -> {
                  cloud.openclaw.platform.http.ErrorResponses.register(routing);
                  routing.register("/stripe", webhook);
                })
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.stop();
    redis.close();
    database.close();
  }

  static String event(String id) {
    return Json.write(
        Map.of(
            "id",
            id,
            "object",
            "event",
            "type",
            "checkout.session.completed",
            "created",
            Instant.now().getEpochSecond(),
            "data",
            Map.of("object", Map.of("object", "checkout.session", "id", "cs_1"))));
  }

  static HttpResponse<String> deliver(String payload) throws Exception {
    String signature =
        Webhook.Util.computeHmacSha256(SECRET, Instant.now().getEpochSecond() + "." + payload);
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/stripe/webhook"))
            .header("Content-Type", "application/json")
            .header("Stripe-Signature", "t=" + Instant.now().getEpochSecond() + ",v1=" + signature)
            .POST(HttpRequest.BodyPublishers.ofString(payload))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void oneEventDeliveredTwentyTimesAtOnceIsStoredOnce() throws Exception {
    String id = "evt_" + UUID.randomUUID().toString().replace("-", "");
    String payload = event(id);
    List<Callable<HttpResponse<String>>> deliveries = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      deliveries.add(() -> deliver(payload));
    }

    List<JsonNode> answers = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<HttpResponse<String>> answer : pool.invokeAll(deliveries)) {
        assertThat(answer.get().statusCode()).isEqualTo(200);
        answers.add(Json.MAPPER.readTree(answer.get().body()));
      }
    }

    assertThat(answers.stream().filter(a -> !a.path("duplicate").asBoolean())).hasSize(1);
    assertThat(new StripeEventStore(database).find(database.execute(), id)).isPresent();
    assertThat(
            database
                .execute()
                .get("SELECT count(*) AS n FROM stripe_events WHERE id = ?", id)
                .orElseThrow()
                .column("n")
                .getLong())
        .isEqualTo(1);
    assertThat(signal.await(Duration.ofSeconds(2))).isTrue();
  }
}
