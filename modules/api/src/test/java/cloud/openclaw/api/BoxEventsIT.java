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
    api = ApiFixture.start(BoxEventsIT.class);
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  @Test
  void theCustomersProgressEventsArriveAndNobodyElses() throws Exception {
    Customer a = api.customer("starter");
    Customer b = api.customer("starter");
    api.box(a);
    String token = client.signIn(a.id()).access();
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
    Thread reader =
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
    EventBus bus = new EventBus(api.redis);
    // The stream subscribes after the response starts; publish until it listens.
    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(
            () -> {
              bus.publish(EventBus.customerChannel(b.id()), "{\"step\":\"b-secret\"}");
              return bus.publish(EventBus.customerChannel(a.id()), "{\"step\":\"live\"}") > 0;
            });

    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(
            () ->
                lines.contains("data:{\"step\":\"live\"}")
                    || lines.contains("data: {\"step\":\"live\"}"));
    assertThat(lines).contains("event:progress").noneMatch(line -> line.contains("b-secret"));
    response.body().close();
    reader.interrupt();
  }

  @Test
  void withoutASessionThereIsNoStream() {
    assertThat(client.get("/me/box/events", null).status()).isEqualTo(401);
  }
}
