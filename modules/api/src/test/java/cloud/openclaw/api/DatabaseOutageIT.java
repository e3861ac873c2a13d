package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.testkit.TcpProxy;
import com.stripe.net.Webhook;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL unreachable under the api (its connections cut and new ones refused by a TCP proxy):
 * every route that needs it answers 503 with Retry-After in the one JSON error shape within the
 * pool's connection timeout, never 500 and never a hang; Stripe's webhook gets the 503 too, so
 * Stripe redelivers; once PostgreSQL is back the same requests succeed and the redelivered event is
 * stored once.
 */
@ServerTest
class DatabaseOutageIT {
  static final String WEBHOOK_SECRET = "whsec_outage";
  static TcpProxy network;
  static ApiFixture api;

  private final URI uri;
  private final ApiClient client;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  DatabaseOutageIT(URI uri) {
    this.uri = uri;
    this.client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api =
        ApiFixture.start(
            DatabaseOutageIT.class,
            Map.of("api.stripe.webhook-secret", WEBHOOK_SECRET),
            direct -> {
              URI target = URI.create(direct.substring("jdbc:".length()));
              network = TcpProxy.start(target.getHost(), target.getPort());
              return "jdbc:postgresql://"
                  + network.host()
                  + ":"
                  + network.port()
                  + target.getPath();
            });
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    try {
      api.close();
    } finally {
      network.close();
    }
  }

  @Test
  void routesAnswer503WithRetryAfterWhilePostgresIsDownAndWorkAgainAfter() throws Exception {
    Customer customer = api.customer("starter");
    Box box = api.box(customer);
    String token = client.signIn(customer.id()).access();
    String eventId = "evt_" + UUID.randomUUID().toString().replace("-", "");
    String event = event(eventId);
    Map<String, Supplier<ApiClient.Answer>> routes = new LinkedHashMap<>();
    routes.put("GET /me", () -> client.get("/me", token));
    routes.put("GET /me/box", () -> client.get("/me/box", token));
    routes.put("GET /me/usage", () -> client.get("/me/usage", token));
    routes.put("GET /me/billing", () -> client.get("/me/billing", token));
    routes.put("POST /me/box/restart", () -> client.post("/me/box/restart", token, null));
    routes.put(
        "POST /auth/login",
        () -> client.post("/auth/login", null, Json.write(Map.of("email", customer.email()))));
    routes.put("POST /stripe/webhook", () -> deliver(event));
    for (var route : routes.entrySet()) {
      if (!route.getKey().contains("webhook") && !route.getKey().contains("restart")) {
        assertThat(route.getValue().get().status()).as(route.getKey()).isLessThan(300);
      }
    }

    network.down();
    long slowest = 0;
    for (var route : routes.entrySet()) {
      long begin = System.nanoTime();
      ApiClient.Answer answer = route.getValue().get();
      long millis = (System.nanoTime() - begin) / 1_000_000;
      slowest = Math.max(slowest, millis);
      assertThat(answer.status()).as(route.getKey() + ": " + answer.body()).isEqualTo(503);
      assertThat(answer.code()).as(route.getKey()).isEqualTo("unavailable");
      assertThat(answer.json().path("error").path("message").asText()).isNotBlank();
      assertThat(answer.response().headers().firstValue("Retry-After"))
          .as(route.getKey())
          .hasValue("5");
      // The pool waits db.connection-timeout (5 s) for a connection, then gives up.
      assertThat(millis).as(route.getKey() + " answered in ms").isLessThan(15_000);
    }

    network.up();
    long up = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> client.get("/me/box", token).status() == 200);
    long recoveredMillis = (System.nanoTime() - up) / 1_000_000;
    for (var route : routes.entrySet()) {
      ApiClient.Answer answer = route.getValue().get();
      assertThat(answer.status()).as(route.getKey() + ": " + answer.body()).isLessThan(300);
    }
    // Stripe's redelivery of the event refused meanwhile: stored, once.
    assertThat(
            api.database
                .execute()
                .get("SELECT count(*) AS n FROM stripe_events WHERE id = ?", eventId)
                .orElseThrow()
                .column("n")
                .getLong())
        .isEqualTo(1);
    assertThat(
            api.database
                .execute()
                .get(
                    "SELECT count(*) AS n FROM operator_jobs WHERE box_id = ?"
                        + " AND idempotency_key LIKE 'restart:%'",
                    box.id())
                .orElseThrow()
                .column("n")
                .getLong())
        .isEqualTo(1);

    System.out.printf(
        "FIGURES api-database-outage: %d routes answered 503 + Retry-After: 5 while PostgreSQL was"
            + " down, slowest in %d ms; first 200 %d ms after it came back%n",
        routes.size(), slowest, recoveredMillis);
  }

  private static String event(String id) {
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
            Map.of("object", Map.of("object", "checkout.session", "id", "cs_outage"))));
  }

  private ApiClient.Answer deliver(String payload) {
    long now = Instant.now().getEpochSecond();
    try {
      String signature = Webhook.Util.computeHmacSha256(WEBHOOK_SECRET, now + "." + payload);
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri.resolve("/stripe/webhook"))
                  .header("Content-Type", "application/json")
                  .header("Stripe-Signature", "t=" + now + ",v1=" + signature)
                  .POST(HttpRequest.BodyPublishers.ofString(payload))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new ApiClient.Answer(response.statusCode(), response.body(), response);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
