package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.store.BoxStore;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where people land from a mail or from Stripe is a page that says what happened and what next,
 * never the api's JSON 404; a box whose bot token Telegram refused says so, with the next step, on
 * the dashboard page, in {@code /me/box} and in the admin's view.
 */
@ServerTest
class PagesIT {
  static final String REFUSED = "Telegram refused your bot token: send a new one.";

  static ApiFixture api;
  private final ApiClient client;

  PagesIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api = ApiFixture.start(PagesIT.class);
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  @Test
  void everyLinkInMailsAndStripeRedirectsLandsOnAPage() {
    // the defaults of the keys that make those links; the dashboard in mails
    // (billing.dashboard-url), the end of sign-in and the portal's return URL are the web root
    Settings api = new Settings(ConfigLoader.load("api", Map.of(), Map.of()));
    List<String> links =
        List.of(
            api.string("api.stripe.success-url").replace("{CHECKOUT_SESSION_ID}", "cs_test_1"),
            api.string("api.stripe.cancel-url"),
            api.string("api.public-url") + "/");
    for (String link : links) {
      URI uri = URI.create(link);
      String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      ApiClient.Answer answer = client.get(path, null);
      assertThat(answer.status()).as(link).isEqualTo(200);
      assertThat(answer.response().headers().firstValue("Content-Type").orElse(""))
          .as(link)
          .startsWith("text/html");
      assertThat(answer.body()).as(link).contains("<h1>");
    }
    assertThat(client.get("/billing/done?session=cs_test_1", null).body())
        .contains("payment went through");
    assertThat(client.get("/billing/cancelled", null).body()).contains("nothing was charged");
  }

  @Test
  void theDashboardPageTellsWhoIsNotSignedInHowToSignIn() {
    ApiClient.Answer answer = client.get("/", null);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).contains("not signed in").contains("/auth/login");
  }

  @Test
  void aBoxWhoseBotTokenTelegramRefusedSaysSoWithTheNextStep() {
    Customer customer = api.customer("starter");
    Box box = api.box(customer);
    new BoxStore(api.database, api.secrets)
        .markObserved(api.database.execute(), box.id(), BoxObservedState.BOT_REFUSED, REFUSED);
    String token = client.signIn(customer.id()).access();

    ApiClient.Answer page =
        client.send(client.request("/").header("Cookie", "oc_session=" + token).GET());
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body())
        .contains(customer.email())
        .contains("@" + box.botUsername())
        .contains(REFUSED);

    ApiClient.Answer mine = client.get("/me/box", token);
    assertThat(mine.json().path("status").asText()).isEqualTo("bot_refused");
    assertThat(mine.json().path("lastError").asText()).isEqualTo(REFUSED);

    String admin = client.exchange(api.linkToken(ApiFixture.ADMIN)).access();
    ApiClient.Answer adminView = client.get("/admin/boxes/" + box.id(), admin);
    assertThat(adminView.json().path("status").asText()).isEqualTo("bot_refused");
    assertThat(adminView.json().path("lastError").asText()).isEqualTo(REFUSED);
  }
}
