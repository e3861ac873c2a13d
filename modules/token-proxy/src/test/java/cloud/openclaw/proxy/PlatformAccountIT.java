package cloud.openclaw.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A token of the platform's own account (the onboarding agent's): issued without a box, admitted,
 * metered in the usage tables and capped by the platform plan like a customer's; the account is no
 * customer the admin lists or counts, and the boxes' token queries never see its tokens.
 */
class PlatformAccountIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  static ProxyHarness harness;

  @BeforeAll
  static void start() {
    harness =
        new ProxyHarness(
            postgres,
            testRedis,
            Map.of(
                "proxy.platform-plan.monthly-tokens", "150",
                "proxy.platform-plan.requests-per-second", "50"));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void aPlatformTokenIsAdmittedMeteredAndCapped() throws Exception {
    TokenProxyClient.IssuedToken issued = harness.internalA.issuePlatformToken("onboarding");
    assertThat(issued.boxId()).isNull();
    Customer account =
        new CustomerStore(harness.database)
            .findByEmail(harness.database.execute(), "onboarding@platform.openclaw.invalid")
            .orElseThrow();
    assertThat(account.isPlatform()).isTrue();
    TokenProxyClient.UsageView usage = harness.internalA.usage(account.id());
    assertThat(usage.allowance()).isEqualTo(150);
    assertThat(usage.periodEnd()).isAfter(usage.periodStart().plus(Duration.ofDays(29)));

    HttpResponse<String> first =
        harness.chat(harness.replicaA, issued.token(), ProxyHarness.message("hello"));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    long used = ProxyHarness.json(first).path("usage").path("total_tokens").asLong();
    assertThat(used).isPositive();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> harness.internalA.usage(account.id()).recorded() == used);
    assertThat(
            harness
                .database
                .execute()
                .get(
                    "SELECT count(*) FROM usage_events WHERE customer_id = ? AND box_id IS NULL",
                    account.id())
                .orElseThrow()
                .column(1)
                .getLong())
        .isEqualTo(1);

    // Until the plan's 150 tokens are used up, then refused like a customer's agent.
    int status = 200;
    for (int i = 0; i < 20 && status == 200; i++) {
      status =
          harness
              .chat(harness.replicaB, issued.token(), ProxyHarness.message("hello again"))
              .statusCode();
    }
    TokenProxyIT.assertError(
        harness.chat(harness.replicaA, issued.token(), ProxyHarness.message("more")),
        429,
        "insufficient_quota");
  }

  @Test
  void aSecondTokenBelongsToTheSameAccountAndNoBoxQuerySeesThem() {
    TokenProxyClient.IssuedToken first = harness.internalA.issuePlatformToken("setup-bot");
    TokenProxyClient.IssuedToken second = harness.internalA.issuePlatformToken("setup-bot");
    ProxyTokenStore tokens = new ProxyTokenStore(harness.database);
    UUID firstOwner =
        tokens
            .findOwnedByHash(
                harness.database.execute(),
                cloud.openclaw.platform.crypto.ProxyTokens.hash(first.token()))
            .orElseThrow()
            .customerId();
    UUID secondOwner =
        tokens
            .findOwnedByHash(
                harness.database.execute(),
                cloud.openclaw.platform.crypto.ProxyTokens.hash(second.token()))
            .orElseThrow()
            .customerId();
    assertThat(secondOwner).isEqualTo(firstOwner);
    assertThat(tokens.activeCountsByBox(harness.database.execute())).doesNotContainKey(null);
    CustomerStore customers = new CustomerStore(harness.database);
    assertThat(customers.list(harness.database.execute(), null, 100))
        .noneMatch(Customer::isPlatform);
    assertThat(customers.searchByEmail(harness.database.execute(), "platform.openclaw", 10))
        .isEmpty();
  }

  @Test
  void aBadAccountNameIsRefused() {
    assertThatThrownBy(() -> harness.internalA.issuePlatformToken("Not_A_Name"))
        .isInstanceOf(InvalidInputException.class);
  }
}
