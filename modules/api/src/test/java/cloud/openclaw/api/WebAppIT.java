package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.store.BoxStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The web app as the api serves it: index.html with a strict Content-Security-Policy for every page
 * path (and every link in mails or Stripe redirects lands on one), built files with the right types
 * and caching, gzip where asked, nothing outside the build, the app's own 404 for browsers and the
 * API's JSON untouched; {@code GET /site} from configuration.
 */
@ServerTest
class WebAppIT {
  static final String REFUSED = "Telegram refused your bot token: send a new one.";
  static final String INDEX =
      "<!doctype html><html><head><script type=\"module\" src=\"/assets/app-1a2b.js\"></script>"
          + "</head><body><div id=\"root\"></div></body></html>";
  static final String SCRIPT = "console.log('the app');\n".repeat(200);

  static ApiFixture api;
  static Path site;
  private final ApiClient client;
  private final URI uri;

  WebAppIT(URI uri) {
    this.uri = uri;
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) throws IOException {
    site = Files.createTempDirectory("web-dist");
    Files.createDirectories(site.resolve("assets"));
    Files.writeString(site.resolve("index.html"), INDEX);
    Files.writeString(site.resolve("assets/app-1a2b.js"), SCRIPT);
    Files.writeString(site.resolve("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    Files.writeString(site.getParent().resolve("web-secret.txt"), "not for the web");
    api =
        ApiFixture.start(
            WebAppIT.class,
            Map.of(
                "api.web.dir",
                site.toString(),
                "api.web.setup-bot-url",
                "https://t.me/openclaw_setup_bot",
                "api.plan-prices.pro",
                "49 EUR a month"));
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  @Test
  void everyLinkInMailsAndStripeRedirectsLandsOnTheApp() {
    Settings defaults = new Settings(ConfigLoader.load("api", Map.of(), Map.of()));
    List<String> links =
        List.of(
            defaults.string("api.stripe.success-url").replace("{CHECKOUT_SESSION_ID}", "cs_1"),
            defaults.string("api.stripe.cancel-url"),
            // where sign-in and the billing portal return (ApiSettings.webUrl), and mails' link
            defaults.string("api.public-url") + "/dashboard",
            defaults.string("api.public-url") + "/");
    for (String link : links) {
      URI target = URI.create(link);
      String path =
          target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
      assertIsTheApp(client.get(path, null), 200, link);
    }
  }

  @Test
  void everyPageOfTheAppIsIndexHtmlWithAStrictContentSecurityPolicy() {
    for (String page :
        List.of("/", "/start", "/signin", "/dashboard/", "/console", "/console/boxes/42")) {
      ApiClient.Answer answer = client.get(page, null);
      assertIsTheApp(answer, 200, page);
      String csp = answer.response().headers().firstValue("Content-Security-Policy").orElse("");
      assertThat(csp).contains("script-src 'self';").contains("frame-ancestors 'none'");
      assertThat(csp).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
      assertThat(answer.response().headers().firstValue("Cache-Control")).hasValue("no-cache");
    }
  }

  @Test
  void builtFilesHaveTheirTypeAndHashedOnesAreCachedForever() {
    ApiClient.Answer script = client.get("/assets/app-1a2b.js", null);
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.body()).isEqualTo(SCRIPT);
    assertThat(script.response().headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/javascript");
    assertThat(script.response().headers().firstValue("Cache-Control").orElse(""))
        .contains("immutable");
    assertThat(script.response().headers().firstValue("X-Content-Type-Options"))
        .hasValue("nosniff");

    ApiClient.Answer icon = client.get("/favicon.svg", null);
    assertThat(icon.status()).isEqualTo(200);
    assertThat(icon.response().headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    assertThat(icon.response().headers().firstValue("Cache-Control")).hasValue("no-cache");
  }

  @Test
  void textIsSentGzippedToWhoAsks() throws Exception {
    HttpResponse<byte[]> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri.resolve("/assets/app-1a2b.js"))
                    .header("Accept-Encoding", "gzip, deflate, br")
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(answer.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(answer.headers().firstValue("Vary")).hasValue("Accept-Encoding");
    assertThat(answer.body().length).isLessThan(SCRIPT.length() / 4);
    assertThat(gunzip(answer.body())).isEqualTo(SCRIPT);
  }

  @Test
  void nothingOutsideTheBuildIsServed() {
    for (String path :
        List.of(
            "/../web-secret.txt",
            "/assets/../../web-secret.txt",
            "/assets/%2e%2e/%2e%2e/web-secret.txt",
            "/assets/..%2f..%2fweb-secret.txt",
            "/index.html/../../web-secret.txt")) {
      ApiClient.Answer answer = client.get(path, null);
      assertThat(answer.body()).as(path).doesNotContain("not for the web");
      assertThat(answer.status()).as(path).isIn(400, 404);
    }
  }

  @Test
  void browsersGetTheAppsNotFoundPageAndApiClientsTheUsual404() {
    ApiClient.Answer page =
        client.send(client.request("/no-such-page").header("Accept", "text/html").GET());
    assertIsTheApp(page, 404, "/no-such-page");

    ApiClient.Answer json =
        client.send(
            client.request("/no-such-thing.json").header("Accept", "application/json").GET());
    assertThat(json.status()).isEqualTo(404);
    assertThat(json.body()).doesNotContain("id=\"root\"");

    // the API's own routes are untouched by the app behind them
    ApiClient.Answer me = client.send(client.request("/me").header("Accept", "text/html").GET());
    assertThat(me.status()).isEqualTo(401);
    assertThat(me.json().path("error").path("code").asText()).isEqualTo("unauthorized");
  }

  @Test
  void theSiteNamesThePlansOnSaleSmallestFirstAndTheSetupBot() {
    ApiClient.Answer answer = client.get("/site", null);
    assertThat(answer.status()).isEqualTo(200);
    JsonNode site = answer.json();
    assertThat(site.path("setupBotUrl").asText()).isEqualTo("https://t.me/openclaw_setup_bot");
    JsonNode plans = site.path("plans");
    assertThat(plans).hasSize(2);
    assertThat(plans.get(0).path("name").asText()).isEqualTo("starter");
    assertThat(plans.get(0).path("monthlyTokens").asLong()).isEqualTo(5_000_000L);
    assertThat(plans.get(0).path("models").get(0).asText()).isEqualTo("kimi-k2.6");
    assertThat(plans.get(0).path("price").isNull()).isTrue();
    assertThat(plans.get(1).path("name").asText()).isEqualTo("pro");
    assertThat(plans.get(1).path("price").asText()).isEqualTo("49 EUR a month");
    assertThat(plans.get(1).path("thinkingLevels")).hasSizeGreaterThan(3);
  }

  @Test
  void aBoxWhoseBotTokenTelegramRefusedSaysSoWithTheNextStep() {
    Customer customer = api.customer("starter");
    Box box = api.box(customer);
    new BoxStore(api.database, api.secrets)
        .markObserved(api.database.execute(), box.id(), BoxObservedState.BOT_REFUSED, REFUSED);
    String token = client.signIn(customer.id()).access();

    ApiClient.Answer mine = client.get("/me/box", token);
    assertThat(mine.json().path("status").asText()).isEqualTo("bot_refused");
    assertThat(mine.json().path("lastError").asText()).isEqualTo(REFUSED);

    String admin = client.exchange(api.linkToken(ApiFixture.ADMIN)).access();
    ApiClient.Answer adminView = client.get("/admin/boxes/" + box.id(), admin);
    assertThat(adminView.json().path("status").asText()).isEqualTo("bot_refused");
    assertThat(adminView.json().path("lastError").asText()).isEqualTo(REFUSED);
  }

  private static void assertIsTheApp(ApiClient.Answer answer, int status, String what) {
    assertThat(answer.status()).as(what).isEqualTo(status);
    assertThat(answer.response().headers().firstValue("Content-Type").orElse(""))
        .as(what)
        .startsWith("text/html");
    assertThat(answer.body()).as(what).isEqualTo(INDEX);
  }

  private static String gunzip(byte[] bytes) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
