package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.store.BoxStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.dbclient.DbRow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The admin's view and actions; every action lands in the audit log. */
@ServerTest
class AdminIT {
  static ApiFixture api;
  private final ApiClient client;

  AdminIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api = ApiFixture.start(AdminIT.class);
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  private String admin() {
    return client.exchange(api.linkToken(ApiFixture.ADMIN)).access();
  }

  private List<Map<String, Object>> audit(String targetId) {
    try (Stream<DbRow> rows =
        api.database
            .execute()
            .query("SELECT * FROM admin_audit_log WHERE target_id = ? ORDER BY id", targetId)) {
      return rows.map(
              row ->
                  Map.<String, Object>of(
                      "actor", Rows.string(row, "actor"), "action", Rows.string(row, "action")))
          .toList();
    }
  }

  @Test
  void customersArePagedWithACursorAndSearchedByEmail() {
    String token = admin();
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      created.add(api.customer("starter").email());
    }

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          client
              .get("/admin/customers?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), token)
              .json();
      page.path("items").forEach(item -> seen.add(item.path("email").asText()));
      assertThat(page.path("items").size()).isLessThanOrEqualTo(2);
      cursor = page.path("next").isNull() ? null : page.path("next").asText();
      pages++;
    } while (cursor != null && pages < 100);
    assertThat(seen).containsAll(created).doesNotHaveDuplicates();

    String one = created.iterator().next();
    JsonNode found =
        client.get("/admin/customers?q=" + one.substring(0, one.indexOf('@')), token).json();
    assertThat(found.path("items").size()).isEqualTo(1);
    assertThat(found.path("items").get(0).path("email").asText()).isEqualTo(one);
  }

  @Test
  void badPagingIsRefusedNamingTheParameter() {
    String token = admin();
    for (String query : List.of("limit=0", "limit=201", "limit=x")) {
      ApiClient.Answer answer = client.get("/admin/customers?" + query, token);
      assertThat(answer.status()).as(query).isEqualTo(400);
      assertThat(answer.field()).isEqualTo("limit");
    }
    assertThat(client.get("/admin/customers?cursor=garbage", token).field()).isEqualTo("cursor");
    assertThat(client.get("/admin/boxes?cursor=garbage", token).field()).isEqualTo("cursor");
    assertThat(client.get("/admin/jobs?status=zombie", token).field()).isEqualTo("status");
    assertThat(client.get("/admin/customers?q=" + "a".repeat(255), token).field()).isEqualTo("q");
  }

  @Test
  void aCustomerWithBoxesSubscriptionAndUsageIsShown() {
    String token = admin();
    Customer customer = api.customer("pro");
    Box box = api.box(customer);

    JsonNode body = client.get("/admin/customers/" + customer.id(), token).json();

    assertThat(body.path("email").asText()).isEqualTo(customer.email());
    assertThat(body.path("boxes").get(0).path("id").asText()).isEqualTo(box.id().toString());
    assertThat(client.get("/admin/customers/" + UUID.randomUUID(), token).status()).isEqualTo(404);
    assertThat(client.get("/admin/customers/" + customer.id() + "/usage", token).status())
        .isEqualTo(200);
    JsonNode owned = client.get("/admin/boxes?customerId=" + customer.id(), token).json();
    assertThat(owned.path("items").size()).isEqualTo(1);
    assertThat(owned.path("items").get(0).path("id").asText()).isEqualTo(box.id().toString());
    assertThat(client.get("/admin/boxes?customerId=nope", token).field()).isEqualTo("customerId");
    assertThat(client.get("/admin/boxes/" + box.id(), token).json().path("customerId").asText())
        .isEqualTo(customer.id().toString());
  }

  @Test
  void boxesArePaged() {
    String token = admin();
    for (int i = 0; i < 3; i++) {
      api.box(api.customer("starter"));
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    do {
      JsonNode page =
          client
              .get("/admin/boxes?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), token)
              .json();
      page.path("items").forEach(item -> assertThat(seen.add(item.path("id").asText())).isTrue());
      cursor = page.path("next").isNull() ? null : page.path("next").asText();
    } while (cursor != null);
    assertThat(seen).hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void suspendReactivateAndDestroySetTheBoxQueueJobsAndAreAudited() {
    String token = admin();
    Box box = api.box(api.customer("starter"));
    BoxStore boxes = new BoxStore(api.database, api.secrets);
    JobStore jobs = new JobStore(api.database, 8);

    ApiClient.Answer suspended = client.post("/admin/boxes/" + box.id() + "/suspend", token, null);
    assertThat(suspended.status()).isEqualTo(202);
    assertThat(boxes.find(box.id()).orElseThrow().desiredState())
        .isEqualTo(BoxDesiredState.SUSPENDED);
    ApiClient.Answer reactivated =
        client.post("/admin/boxes/" + box.id() + "/reactivate", token, null);
    assertThat(reactivated.status()).isEqualTo(202);
    assertThat(boxes.find(box.id()).orElseThrow().desiredState())
        .isEqualTo(BoxDesiredState.RUNNING);
    ApiClient.Answer destroyed = client.post("/admin/boxes/" + box.id() + "/destroy", token, null);
    assertThat(destroyed.status()).isEqualTo(202);
    assertThat(boxes.find(box.id()).orElseThrow().desiredState())
        .isEqualTo(BoxDesiredState.DESTROYED);

    assertThat(jobs.listForBox(box.id(), 10).stream().map(Job::type))
        .containsExactlyInAnyOrder(JobType.SUSPEND, JobType.REACTIVATE, JobType.DESTROY);
    assertThat(audit(box.id().toString()))
        .containsExactly(
            Map.of("actor", ApiFixture.ADMIN, "action", "box.suspend"),
            Map.of("actor", ApiFixture.ADMIN, "action", "box.reactivate"),
            Map.of("actor", ApiFixture.ADMIN, "action", "box.destroy"));
    // A box meant to be destroyed is not brought back.
    ApiClient.Answer back = client.post("/admin/boxes/" + box.id() + "/reactivate", token, null);
    assertThat(back.status()).isEqualTo(409);
    assertThat(audit(box.id().toString())).hasSize(3);
    JsonNode log = client.get("/admin/audit?limit=200", token).json();
    assertThat(log.path("items").toString()).contains(box.id().toString());
  }

  @Test
  void aDeadJobIsListedWithItsErrorAndRetriedOnce() {
    String token = admin();
    Box box = api.box(api.customer("starter"));
    JobStore jobs = new JobStore(api.database, 1);
    Job job =
        jobs.insert(
                api.database.execute(),
                new NewJob(JobType.UPDATE, box.id(), null, "t:" + UUID.randomUUID()))
            .job();
    Job claimed = jobs.claim(job.id(), "test", Duration.ofMinutes(1)).orElseThrow();
    jobs.retryOrBury(claimed, "the cluster said no", Duration.ZERO);
    assertThat(jobs.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.DEAD);

    JsonNode dead = client.get("/admin/jobs?status=dead&limit=200", token).json();
    assertThat(dead.path("items").toString())
        .contains(job.id().toString())
        .contains("the cluster said no");
    assertThat(client.get("/admin/jobs?boxId=" + box.id(), token).json().path("items").size())
        .isEqualTo(1);

    ApiClient.Answer retried = client.post("/admin/jobs/" + job.id() + "/retry", token, null);
    assertThat(retried.status()).isEqualTo(202);
    assertThat(retried.json().path("status").asText()).isEqualTo("queued");
    assertThat(jobs.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
    ApiClient.Answer again = client.post("/admin/jobs/" + job.id() + "/retry", token, null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(audit(job.id().toString()))
        .containsExactly(Map.of("actor", ApiFixture.ADMIN, "action", "job.retry"));
    assertThat(client.post("/admin/jobs/" + UUID.randomUUID() + "/retry", token, null).status())
        .isEqualTo(404);
  }

  @Test
  void withoutASetupBotNoBotTokenIsRotated() {
    String token = admin();
    Box box = api.box(api.customer("starter"));

    ApiClient.Answer refused =
        client.post("/admin/boxes/" + box.id() + "/rotate-bot-token", token, null);

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.code()).isEqualTo("not_managed_bot");
    assertThat(refused.json().toString()).contains("not a managed bot");
    assertThat(audit(box.id().toString())).isEmpty();
  }

  @Test
  void customersAreNoAdmins() {
    Customer customer = api.customer("starter");
    Box box = api.box(customer);
    String token = client.signIn(customer.id()).access();

    for (String path : List.of("/admin/customers", "/admin/boxes", "/admin/jobs", "/admin/audit")) {
      ApiClient.Answer answer = client.get(path, token);
      assertThat(answer.status()).as(path).isEqualTo(403);
      assertThat(answer.code()).isEqualTo("forbidden");
    }
    assertThat(client.post("/admin/boxes/" + box.id() + "/destroy", token, null).status())
        .isEqualTo(403);
    assertThat(new BoxStore(api.database, api.secrets).find(box.id()).orElseThrow().desiredState())
        .isEqualTo(BoxDesiredState.RUNNING);
  }
}
