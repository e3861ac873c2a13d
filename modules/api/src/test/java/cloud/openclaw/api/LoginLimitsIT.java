package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.domain.Customer;
import io.helidon.dbclient.DbRow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Sign-in requests are limited per client address (behind a trusted proxy), per email from one
 * address and by the distinct addresses asking for one email: flooding someone's email from one
 * address does not keep its owner from a link.
 */
@ServerTest
class LoginLimitsIT {
  static ApiFixture api;
  private final ApiClient client;

  LoginLimitsIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api =
        ApiFixture.start(
            LoginLimitsIT.class,
            Map.of(
                "api.auth.login-limit.per-email", "2",
                "api.auth.login-limit.per-ip", "4",
                "api.auth.login-limit.requesters-per-email", "3",
                "api.auth.login-limit.window", "PT10M",
                "api.auth.client-ip-header", "X-Forwarded-For"));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  private ApiClient.Answer login(String email, String ip) {
    return client.send(
        client
            .request("/auth/login")
            .header("Content-Type", "application/json")
            .header("X-Forwarded-For", ip + ", 10.0.0.1")
            .POST(HttpRequest.BodyPublishers.ofString(ApiClient.json(Map.of("email", email)))));
  }

  private long mailsTo(String email) {
    try (Stream<DbRow> rows =
        api.database
            .execute()
            .query(
                "SELECT id FROM notifications WHERE recipient = ? AND kind = 'sign_in_link'",
                email)) {
      return rows.count();
    }
  }

  @Test
  void theThirdRequestForOneEmailFromOneAddressIsRefusedWhateverItsCase() {
    String email = ApiFixture.email();
    assertThat(login(email, "198.51.100.1").status()).isEqualTo(202);
    assertThat(login(email.toUpperCase(), "198.51.100.1").status()).isEqualTo(202);

    ApiClient.Answer third = login(email, "198.51.100.1");

    assertThat(third.status()).isEqualTo(429);
    assertThat(third.code()).isEqualTo("too_many_requests");
    long retryAfter =
        Long.parseLong(third.response().headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 600L);
    assertThat(login(ApiFixture.email(), "198.51.100.1").status()).isEqualTo(202);
  }

  @Test
  void someoneFloodingTheOwnersEmailDoesNotKeepTheOwnerFromALink() {
    Customer owner = api.customer("starter");
    String attacker = "198.51.100.66";
    for (int i = 0; i < 3; i++) {
      login(owner.email(), attacker);
    }
    assertThat(login(owner.email(), attacker).status()).isEqualTo(429);
    long before = mailsTo(owner.email());
    assertThat(before).isEqualTo(2);

    ApiClient.Answer own = login(owner.email(), "203.0.113.20");

    assertThat(own.status()).isEqualTo(202);
    assertThat(mailsTo(owner.email())).isEqualTo(before + 1);
  }

  @Test
  void anEmailHasAtMostThreeRequestersAWindowAndOneCountedAlreadyStillPasses() {
    Customer owner = api.customer("starter");
    assertThat(login(owner.email(), "192.0.2.1").status()).isEqualTo(202);
    assertThat(login(owner.email(), "192.0.2.2").status()).isEqualTo(202);
    assertThat(login(owner.email(), "192.0.2.3").status()).isEqualTo(202);

    ApiClient.Answer fourth = login(owner.email(), "192.0.2.4");

    assertThat(fourth.status()).isEqualTo(429);
    assertThat(fourth.code()).isEqualTo("too_many_requests");
    assertThat(login(owner.email(), "192.0.2.1").status()).isEqualTo(202);
    assertThat(mailsTo(owner.email())).isEqualTo(4);
  }

  @Test
  void oneAddressMayAskForFourLinks() {
    String ip = "203.0.113.7";
    for (int i = 0; i < 4; i++) {
      assertThat(login(ApiFixture.email(), ip).status()).isEqualTo(202);
    }
    assertThat(login(ApiFixture.email(), ip).status()).isEqualTo(429);
    assertThat(login(ApiFixture.email(), "203.0.113.8").status()).isEqualTo(202);
  }
}
