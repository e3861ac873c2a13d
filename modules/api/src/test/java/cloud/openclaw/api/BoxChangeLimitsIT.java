package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobType;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Restarts and settings changes are limited per customer (each would queue an update of the agent),
 * and the updates they queue before one starts are one job.
 */
@ServerTest
class BoxChangeLimitsIT {
  static ApiFixture api;
  private final ApiClient client;

  BoxChangeLimitsIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api =
        ApiFixture.start(
            BoxChangeLimitsIT.class,
            Map.of(
                "api.box-change-limit.per-customer", "3",
                "api.box-change-limit.window", "PT10M"));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  private record Signed(Customer customer, Box box, String token) {}

  private Signed customerWithBox() {
    Customer customer = api.customer("starter");
    Box box = api.box(customer);
    return new Signed(customer, box, client.signIn(customer.id()).access());
  }

  private ApiClient.Answer settings(Signed who, long user) {
    return client.put(
        "/me/box/settings",
        who.token(),
        ApiClient.json(
            Map.of(
                "allowedTelegramUserIds", List.of(user),
                "model", "kimi-k2.6",
                "thinkingLevel", "off")));
  }

  @Test
  void theFourthChangeInTheWindowIsRefusedWith429AndRetryAfterAndQueuesNothing() {
    Signed a = customerWithBox();
    assertThat(client.post("/me/box/restart", a.token(), null).status()).isEqualTo(202);
    assertThat(settings(a, 7).status()).isEqualTo(202);
    assertThat(client.post("/me/box/restart", a.token(), null).status()).isEqualTo(202);

    for (ApiClient.Answer refused :
        List.of(client.post("/me/box/restart", a.token(), null), settings(a, 8))) {
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.code()).isEqualTo("too_many_requests");
      JsonNode error = refused.json().path("error");
      assertThat(error.path("message").asText()).contains("restarts and settings changes");
      long retryAfter =
          Long.parseLong(refused.response().headers().firstValue("Retry-After").orElseThrow());
      assertThat(retryAfter).isBetween(1L, 600L);
    }
    // The refused settings were not stored.
    assertThat(client.get("/me/box", a.token()).json().path("settings").toString())
        .contains("7")
        .doesNotContain("8");

    // Another customer has a budget of their own.
    Signed b = customerWithBox();
    assertThat(client.post("/me/box/restart", b.token(), null).status()).isEqualTo(202);
  }

  @Test
  void changesBeforeTheUpdateStartsAreOneUpdate() {
    Signed a = customerWithBox();
    String first =
        client.post("/me/box/restart", a.token(), null).json().path("job").path("id").asText();
    String second = settings(a, 9).json().path("job").path("id").asText();
    String third =
        client.post("/me/box/restart", a.token(), null).json().path("job").path("id").asText();

    assertThat(second).isEqualTo(first);
    assertThat(third).isEqualTo(first);
    List<Job> jobs = new JobStore(api.database, 8).listForBox(a.box().id(), 10);
    assertThat(jobs)
        .singleElement()
        .satisfies(job -> assertThat(job.type()).isEqualTo(JobType.UPDATE));
  }
}
