package cloud.openclaw.api.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.api.ApiMetrics;
import cloud.openclaw.platform.billing.StripeEventSignal;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.StripeEventStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.testkit.RawHttp;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.net.Webhook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * stored once, and the billing worker is woken; a body over the limit is refused unread.
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
  static RunningService server;
  static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

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
            Clock.systemUTC(),
            new ApiMetrics(registry));
    // Through the platform's host, as the api serves it: its body limit is the api's default.
    server =
        HttpHost.start(
            "stripe-webhook-it",
            new ServerSettings("127.0.0.1", 0),
            List.of(),
            Metrics.registry("stripe-webhook-it"),
            routing -> routing.register("/stripe", webhook),
            List.of());
  }

  @AfterAll
  static void stop() {
    server.close();
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
    // One clock reading for the signature and its header: two could straddle a second.
    long now = Instant.now().getEpochSecond();
    String signature = Webhook.Util.computeHmacSha256(SECRET, now + "." + payload);
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/stripe/webhook"))
            .header("Content-Type", "application/json")
            .header("Stripe-Signature", "t=" + now + ",v1=" + signature)
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

  @Test
  void eachDeliveryIsCountedByOutcome() throws Exception {
    String id = "evt_" + UUID.randomUUID().toString().replace("-", "");
    double accepted = count("accepted");
    double duplicate = count("duplicate");
    double badSignature = count("bad_signature");
    double invalid = count("invalid");

    assertThat(deliver(event(id)).statusCode()).isEqualTo(200);
    assertThat(deliver(event(id)).statusCode()).isEqualTo(200);
    HttpResponse<String> forged =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/stripe/webhook"))
                .header("Stripe-Signature", "t=" + Instant.now().getEpochSecond() + ",v1=00")
                .POST(HttpRequest.BodyPublishers.ofString(event("evt_forged")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(forged.statusCode()).isEqualTo(400);
    assertThat(deliver("{\"not\": \"an event\"}").statusCode()).isEqualTo(400);

    // What WebhookFailures divides: bad_signature and invalid against all deliveries.
    assertThat(count("accepted") - accepted).isEqualTo(1);
    assertThat(count("duplicate") - duplicate).isEqualTo(1);
    assertThat(count("bad_signature") - badSignature).isEqualTo(1);
    assertThat(count("invalid") - invalid).isEqualTo(1);
  }

  private static double count(String outcome) {
    return registry.get("api_stripe_webhooks").tag("outcome", outcome).counter().count();
  }

  @Test
  void aBodyOverTheLimitIsA413BeforeItIsReadAndASignedEventSentChunkedIsTaken() throws Exception {
    long limit = ServerSettings.DEFAULT_MAX_BODY_BYTES;
    Map<String, String> headers =
        Map.of("Content-Type", "application/json", "Stripe-Signature", "t=1,v1=00");

    RawHttp.Answer declared =
        RawHttp.declaring(server.port(), "POST", "/stripe/webhook", headers, limit + 1);
    assertThat(declared.status()).isEqualTo(413);
    assertThat(Json.MAPPER.readTree(declared.body()).path("error").path("code").asText())
        .isEqualTo("request_too_large");

    RawHttp.Answer chunked =
        RawHttp.chunked(
            server.port(), "POST", "/stripe/webhook", headers, 4 * limit, (byte) ' ', limit);
    assertThat(chunked.status()).isEqualTo(413);
    assertThat(Json.MAPPER.readTree(chunked.body()).path("error").path("code").asText())
        .isEqualTo("request_too_large");

    String id = "evt_" + UUID.randomUUID().toString().replace("-", "");
    String payload = event(id);
    long now = Instant.now().getEpochSecond();
    String signature = Webhook.Util.computeHmacSha256(SECRET, now + "." + payload);
    RawHttp.Answer taken =
        RawHttp.chunked(
            server.port(),
            "POST",
            "/stripe/webhook",
            Map.of(
                "Content-Type",
                "application/json",
                "Stripe-Signature",
                "t=" + now + ",v1=" + signature),
            payload.getBytes(StandardCharsets.UTF_8));
    assertThat(taken.status()).as(taken.body()).isEqualTo(200);
    assertThat(new StripeEventStore(database).find(database.execute(), id)).isPresent();
  }
}
