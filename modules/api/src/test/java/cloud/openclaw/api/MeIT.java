package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.billing.StripeSettings;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.Main.Sandbox;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The customer's own endpoints, and that nothing of another customer's is reachable. */
@ServerTest
class MeIT {
  static ApiFixture api;
  private final ApiClient client;

  MeIT(URI uri) {
    client = new ApiClient(uri);
  }

  static Sandbox sandbox;

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    sandbox = TestServices.sandbox();
    api =
        ApiFixture.start(
            MeIT.class,
            Map.of("stripe.api-base", "http://127.0.0.1:" + sandbox.port() + "/stripe"));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
    sandbox.close();
  }

  private record Signed(Customer customer, Box box, String token) {}

  private Signed customerWithBox(String plan) {
    Customer customer = api.customer(plan);
    Box box = api.box(customer);
    return new Signed(customer, box, client.signIn(customer.id()).access());
  }

  @Test
  void meShowsTheSignedInCustomer() {
    Signed a = customerWithBox("starter");

    JsonNode me = client.get("/me", a.token()).json();

    assertThat(me.path("email").asText()).isEqualTo(a.customer().email());
    assertThat(me.path("customer").path("plan").asText()).isEqualTo("starter");
    assertThat(me.path("customer").path("status").asText()).isEqualTo("active");
  }

  @Test
  void theBoxShowsStatusBotLinkSettingsAndWhatThePlanAllows() {
    Signed a = customerWithBox("starter");
    observe(a, BoxObservedState.RUNNING);

    ApiClient.Answer answer = client.get("/me/box", a.token());

    assertThat(answer.status()).isEqualTo(200);
    JsonNode box = answer.json();
    assertThat(box.path("id").asText()).isEqualTo(a.box().id().toString());
    assertThat(box.path("status").asText()).isEqualTo("running");
    assertThat(box.path("telegramLink").asText())
        .isEqualTo("https://t.me/" + a.box().botUsername());
    assertThat(box.path("liveSince").isTextual()).isTrue();
    assertThat(box.path("settings").path("model").asText()).isEqualTo("kimi-k2.6");
    assertThat(box.path("allowed").path("thinkingLevels").toString())
        .isEqualTo("[\"off\",\"minimal\",\"low\"]");
  }

  @Test
  void aCustomerWithoutABoxGets404() {
    Customer customer = api.customer("starter");
    String token = client.signIn(customer.id()).access();

    ApiClient.Answer answer = client.get("/me/box", token);
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.code()).isEqualTo("not_found");
  }

  @Test
  void settingsWithinThePlanAreStoredAndStartAnUpdateJob() {
    Signed a = customerWithBox("pro");

    ApiClient.Answer answer =
        client.put(
            "/me/box/settings",
            a.token(),
            ApiClient.json(
                Map.of(
                    "allowedTelegramUserIds", List.of(42, 43, 42),
                    "model", "kimi-k3",
                    "thinkingLevel", "high")));

    assertThat(answer.status()).isEqualTo(202);
    Box stored = new BoxStore(api.database, api.secrets).find(a.box().id()).orElseThrow();
    assertThat(stored.allowedTelegramUserIds()).containsExactly(42L, 43L);
    assertThat(stored.model()).isEqualTo("kimi-k3");
    assertThat(stored.thinkingLevel()).isEqualTo(ThinkingLevel.HIGH);
    Job job =
        jobs().find(UUID.fromString(answer.json().path("job").path("id").asText())).orElseThrow();
    assertThat(job.type()).isEqualTo(JobType.UPDATE);
    assertThat(job.boxId()).isEqualTo(a.box().id());
  }

  @Test
  void settingsOutsideThePlanOrMalformedAreRefusedNamingTheField() {
    Signed a = customerWithBox("starter");
    Map<String, String> cases =
        Map.of(
            "{\"allowedTelegramUserIds\":[1],\"model\":\"kimi-k3\",\"thinkingLevel\":\"off\"}",
            "model",
            "{\"allowedTelegramUserIds\":[1],\"model\":\"kimi-k2.6\",\"thinkingLevel\":\"high\"}",
            "thinkingLevel",
            "{\"allowedTelegramUserIds\":[],\"model\":\"kimi-k2.6\",\"thinkingLevel\":\"off\"}",
            "allowedTelegramUserIds",
            "{\"allowedTelegramUserIds\":[-5],\"model\":\"kimi-k2.6\",\"thinkingLevel\":\"off\"}",
            "allowedTelegramUserIds",
            "{\"allowedTelegramUserIds\":\"everyone\",\"model\":\"kimi-k2.6\",\"thinkingLevel\":\"off\"}",
            "allowedTelegramUserIds",
            "{\"allowedTelegramUserIds\":[1],\"model\":{\"id\":1},\"thinkingLevel\":\"off\"}",
            "model",
            "{\"allowedTelegramUserIds\":[1],\"model\":\"kimi-k2.6\",\"thinkingLevel\":\"off\",\"boxId\":\"x\"}",
            "boxId",
            "{\"allowedTelegramUserIds\":[1],\"model\":\""
                + "m".repeat(65)
                + "\",\"thinkingLevel\":\"off\"}",
            "model",
            "{\"allowedTelegramUserIds\":[1],\"thinkingLevel\":\"off\"}",
            "model");
    cases.forEach(
        (body, field) -> {
          ApiClient.Answer answer = client.put("/me/box/settings", a.token(), body);
          assertThat(answer.status()).as(body).isEqualTo(400);
          assertThat(answer.field()).as(body).isEqualTo(field);
        });
    ApiClient.Answer malformed = client.put("/me/box/settings", a.token(), "{\"model\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.code()).isEqualTo("invalid_input");
    ApiClient.Answer tooMany =
        client.put(
            "/me/box/settings",
            a.token(),
            ApiClient.json(
                Map.of(
                    "allowedTelegramUserIds",
                    java.util.stream.LongStream.rangeClosed(1, 51).boxed().toList(),
                    "model",
                    "kimi-k2.6",
                    "thinkingLevel",
                    "off")));
    assertThat(tooMany.field()).isEqualTo("allowedTelegramUserIds");
    // Nothing changed, nothing queued.
    assertThat(jobs().listForBox(a.box().id(), 10)).isEmpty();
  }

  @Test
  void restartQueuesAnUpdateJobTheCustomerCanFollow() {
    Signed a = customerWithBox("starter");

    ApiClient.Answer restart = client.post("/me/box/restart", a.token(), null);

    assertThat(restart.status()).isEqualTo(202);
    String jobId = restart.json().path("job").path("id").asText();
    ApiClient.Answer job = client.get("/me/jobs/" + jobId, a.token());
    assertThat(job.status()).isEqualTo(200);
    assertThat(job.json().path("type").asText()).isEqualTo("update");
    assertThat(job.json().path("status").asText()).isEqualTo("queued");
    assertThat(jobs().find(UUID.fromString(jobId)).orElseThrow().payload()).contains("restart");
  }

  @Test
  void usageShowsThePeriodAgainstTheAllowanceByDayAndByModel() {
    Signed a = customerWithBox("pro");
    Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(2, ChronoUnit.DAYS);
    UsageStore usage = new UsageStore(api.database);
    usage.openPeriod(
        api.database.execute(), a.customer().id(), start, start.plus(30, ChronoUnit.DAYS), 1000);
    usage.recordEvents(
        List.of(
            event(a, "kimi-k2.6", 100, 50, start.plusSeconds(60)),
            event(a, "kimi-k3", 200, 0, start.plus(1, ChronoUnit.DAYS).plusSeconds(60))));

    JsonNode body = client.get("/me/usage", a.token()).json();

    assertThat(body.path("used").asLong()).isEqualTo(350);
    assertThat(body.path("allowance").asLong()).isEqualTo(1000);
    assertThat(body.path("percent").asDouble()).isEqualTo(35.0);
    assertThat(body.path("period").path("start").asText()).isEqualTo(start.toString());
    assertThat(body.path("daily").size()).isEqualTo(3);
    assertThat(body.path("daily").get(0).path("tokens").asLong()).isEqualTo(150);
    // Each day split by model: every model of the period, zero on a day it was not used.
    assertThat(body.path("daily").get(0).path("byModel").toString())
        .isEqualTo("{\"kimi-k2.6\":150,\"kimi-k3\":0}");
    assertThat(body.path("daily").get(1).path("byModel").toString())
        .isEqualTo("{\"kimi-k2.6\":0,\"kimi-k3\":200}");
    assertThat(body.path("daily").get(1).path("requests").asLong()).isEqualTo(1);
    assertThat(body.path("daily").get(2).path("byModel").toString())
        .isEqualTo("{\"kimi-k2.6\":0,\"kimi-k3\":0}");
    assertThat(body.path("byModel").get(0).path("model").asText()).isEqualTo("kimi-k3");
    assertThat(body.path("byModel").get(0).path("tokens").asLong()).isEqualTo(200);
  }

  private static UsageEvent event(
      Signed a, String model, long prompt, long completion, Instant at) {
    return ApiFixture.usageEvent(a.box(), model, prompt, completion, at);
  }

  @Test
  void theBillingPortalIsOpenedForTheSignedInCustomer() {
    Signed a = customerWithBox("starter");
    Signed noBilling = customerWithBox("starter");
    // A Stripe customer as the first checkout makes one, in the sandbox's Stripe.
    String stripeCustomer =
        new StripeBilling(
                new StripeSettings(
                    "sk_test_meit", "http://127.0.0.1:" + sandbox.port() + "/stripe"))
            .createCustomer(a.customer().id(), a.customer().email());
    new CustomerStore(api.database)
        .setStripeCustomerId(api.database.execute(), a.customer().id(), stripeCustomer);

    ApiClient.Answer portal = client.post("/me/billing/portal", a.token(), null);

    assertThat(portal.status()).isEqualTo(200);
    String url = portal.json().path("url").asText();
    assertThat(url).startsWith("http://127.0.0.1:" + sandbox.port() + "/stripe/");
    // The portal Stripe opened is the customer's, and sends them back to the dashboard.
    ApiClient.Answer page = client.send(HttpRequest.newBuilder(URI.create(url)).GET());
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains(ApiFixture.PUBLIC_URL + "/dashboard");
    ApiClient.Answer none = client.post("/me/billing/portal", noBilling.token(), null);
    assertThat(none.status()).isEqualTo(409);
    assertThat(none.code()).isEqualTo("no_billing_account");
  }

  @Test
  void customerAGets404ForAnythingOfCustomerBs() {
    Signed a = customerWithBox("pro");
    Signed b = customerWithBox("pro");
    String bJob =
        client.post("/me/box/restart", b.token(), null).json().path("job").path("id").asText();

    // A copied id of B's job, B's box id in place of a job id, and a guessed id: all 404.
    for (String id : List.of(bJob, b.box().id().toString(), UUID.randomUUID().toString(), "x")) {
      ApiClient.Answer answer = client.get("/me/jobs/" + id, a.token());
      assertThat(answer.status()).as(id).isEqualTo(404);
    }
    // A's requests act on A's box only, whatever they carry.
    ApiClient.Answer sneaky =
        client.put(
            "/me/box/settings",
            a.token(),
            "{\"boxId\":\""
                + b.box().id()
                + "\",\"allowedTelegramUserIds\":[7],\"model\":\"kimi-k3\",\"thinkingLevel\":\"off\"}");
    assertThat(sneaky.status()).isEqualTo(400);
    client.put(
        "/me/box/settings",
        a.token(),
        "{\"allowedTelegramUserIds\":[7],\"model\":\"kimi-k3\",\"thinkingLevel\":\"off\"}");
    Box bAfter = new BoxStore(api.database, api.secrets).find(b.box().id()).orElseThrow();
    assertThat(bAfter.model()).isEqualTo("kimi-k2.6");
    assertThat(client.get("/me/box", a.token()).json().path("id").asText())
        .isEqualTo(a.box().id().toString());
    // A customer token is no admin token.
    assertThat(client.get("/admin/boxes/" + b.box().id(), a.token()).status()).isEqualTo(403);
  }

  private JobStore jobs() {
    return new JobStore(api.database, 8);
  }

  @Test
  void aDestroyedBoxIsNotTheCustomersBoxAnyMore() {
    Signed a = customerWithBox("starter");
    observe(a, BoxObservedState.DESTROYED);

    assertThat(client.get("/me/box", a.token()).status()).isEqualTo(404);
    assertThat(client.post("/me/box/restart", a.token(), null).status()).isEqualTo(404);
  }

  /** What the operator reports of the customer's box. */
  private static void observe(Signed customer, BoxObservedState state) {
    new BoxStore(api.database, api.secrets)
        .markObserved(api.database.execute(), customer.box().id(), state, null);
  }
}
