package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.events.EventBus;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** GET /me/box/events relays the operator's progress events of this customer, and only those. */
@ServerTest
class BoxEventsIT {
  static ApiFixture api;
  private final ApiClient client;

  BoxEventsIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api = ApiFixture.start(BoxEventsIT.class, java.util.Map.of("redis.pool-size", "4"));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  /** An open event stream and the lines read from it so far. */
  private record Stream(HttpResponse<InputStream> response, List<String> lines) {
    void close() throws Exception {
      response.body().close();
    }
  }

  private Stream open(String token) throws Exception {
    HttpResponse<InputStream> response =
        client
            .http()
            .send(
                client
                    .request("/me/box/events")
                    .header("Authorization", "Bearer " + token)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (Exception e) {
                // closed by the test
              }
            });
    return new Stream(response, lines);
  }

  @Test
  void theCustomersProgressEventsArriveAndNobodyElses() throws Exception {
    Customer a = api.customer("starter");
    Customer b = api.customer("starter");
    api.box(a);
    Stream stream = open(client.signIn(a.id()).access());
    List<String> lines = stream.lines();
    EventBus bus = new EventBus(api.redis);
    // The stream listens once its response has started; publish until the event arrives.
    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(
            () -> {
              bus.publish(EventBus.customerChannel(b.id()), "{\"step\":\"b-secret\"}");
              bus.publish(EventBus.customerChannel(a.id()), "{\"step\":\"live\"}");
              return lines.contains("data:{\"step\":\"live\"}");
            });
    assertThat(lines).contains("event:progress").noneMatch(line -> line.contains("b-secret"));
    stream.close();
  }

  @Test
  void manyOpenStreamsShareOneRedisConnection() throws Exception {
    // The fixture's Redis pool holds 4 connections; 10 streams must not take them all.
    Customer a = api.customer("starter");
    String token = client.signIn(a.id()).access();
    List<Stream> streams = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      streams.add(open(token));
    }
    assertThat(client.get("/me", token).status()).isEqualTo(200);

    EventBus bus = new EventBus(api.redis);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () -> {
              bus.publish(EventBus.customerChannel(a.id()), "{\"step\":\"all\"}");
              return streams.stream().allMatch(s -> s.lines().contains("data:{\"step\":\"all\"}"));
            });
    for (Stream stream : streams) {
      stream.close();
    }
  }

  @Test
  void withoutASessionThereIsNoStream() {
    assertThat(client.get("/me/box/events", null).status()).isEqualTo(401);
  }
}
