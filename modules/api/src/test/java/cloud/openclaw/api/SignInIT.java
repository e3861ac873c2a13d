package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.api.auth.SessionTokens;
import cloud.openclaw.api.auth.SignInLinks;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.NotificationStore;
import io.helidon.dbclient.DbRow;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Magic-link sign-in, sessions, refresh, logout and the internal link endpoint. */
@ServerTest
class SignInIT {
  private static final Pattern LINK = Pattern.compile("https://\\S+/auth/callback\\?token=(\\S+)");
  static ApiFixture api;
  private final ApiClient client;

  SignInIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api = ApiFixture.start(SignInIT.class);
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  /** The sign-in mails in the outbox for {@code email}, oldest first: their bodies. */
  private List<String> mailsTo(String email) {
    try (Stream<DbRow> rows =
        api.database
            .execute()
            .query(
                "SELECT * FROM notifications WHERE recipient = ? AND kind = 'sign_in_link'"
                    + " ORDER BY created_at",
                email)) {
      return rows.map(row -> Rows.string(row, "body")).toList();
    }
  }

  private static String linkToken(String body) {
    Matcher matcher = LINK.matcher(body);
    assertThat(matcher.find()).as("a link in: %s", body).isTrue();
    return matcher.group(1);
  }

  private String requestLink(String email) {
    ApiClient.Answer answer =
        client.post("/auth/login", null, ApiClient.json(Map.of("email", email)));
    assertThat(answer.status()).isEqualTo(202);
    List<String> mails = mailsTo(email.toLowerCase(java.util.Locale.ROOT));
    assertThat(mails).isNotEmpty();
    return linkToken(mails.getLast());
  }

  @Test
  void aCustomerGetsALinkInTheOutboxAndItSignsInOnce() {
    Customer customer = api.customer("starter");

    String token = requestLink(customer.email().toUpperCase());

    String body = mailsTo(customer.email()).getLast();
    assertThat(body).contains(ApiFixture.PUBLIC_URL + "/auth/callback?token=" + token);
    ApiClient.Tokens tokens = client.exchange(token);
    ApiClient.Answer me = client.get("/me", tokens.access());
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().path("customer").path("id").asText()).isEqualTo(customer.id().toString());
    assertThat(me.json().path("roles").toString()).isEqualTo("[\"customer\"]");

    ApiClient.Answer again =
        client.post("/auth/session", null, ApiClient.json(Map.of("token", token)));
    assertThat(again.status()).isEqualTo(401);
    assertThat(again.code()).isEqualTo("unauthorized");
  }

  @Test
  void theOutboxRowIsASignInLinkWithADedupeKeyPerLink() {
    Customer customer = api.customer("starter");
    requestLink(customer.email());
    requestLink(customer.email());

    try (Stream<DbRow> rows =
        api.database
            .execute()
            .query(
                "SELECT customer_id, subject, dedupe_key FROM notifications WHERE recipient = ?",
                customer.email())) {
      List<DbRow> all = rows.toList();
      assertThat(all).hasSize(2);
      assertThat(all)
          .allSatisfy(
              row -> {
                assertThat(Rows.uuid(row, "customer_id")).isEqualTo(customer.id());
                assertThat(Rows.string(row, "dedupe_key")).startsWith("sign_in_link:");
              });
      assertThat(Rows.string(all.get(0), "dedupe_key"))
          .isNotEqualTo(Rows.string(all.get(1), "dedupe_key"));
    }
  }

  @Test
  void redisKeepsOnlyTheHashOfTheTokenAndForFifteenMinutes() {
    Customer customer = api.customer("starter");
    String token = requestLink(customer.email());

    var keys = api.redis.client().keys(api.redisPrefix + "auth:link:*");
    assertThat(keys).isNotEmpty().noneMatch(key -> key.contains(token));
    String key =
        keys.stream()
            .filter(k -> customer.email().equals(api.redis.client().get(k)))
            .findFirst()
            .orElseThrow();
    assertThat(api.redis.client().ttl(key)).isBetween(890L, 900L);
  }

  @Test
  void anExpiredLinkSignsNobodyIn() {
    Customer customer = api.customer("starter");
    SignInLinks shortLived =
        new SignInLinks(
            api.redis,
            new CustomerStore(api.database),
            new NotificationStore(api.database),
            URI.create(ApiFixture.PUBLIC_URL),
            Duration.ofMillis(300),
            Clock.systemUTC());
    SignInLinks.Link link = shortLived.mint(customer.email());
    String key = api.redisPrefix + "auth:link:" + link.tokenHash();
    await().atMost(5, TimeUnit.SECONDS).until(() -> !api.redis.client().exists(key));

    ApiClient.Answer answer =
        client.post(
            "/auth/session",
            null,
            ApiClient.json(Map.of("token", ApiClient.tokenOf(link.url().toString()))));
    assertThat(answer.status()).isEqualTo(401);
  }

  @Test
  void anUnknownEmailIsAnsweredTheSameAndGetsNoMail() {
    String email = ApiFixture.email();
    ApiClient.Answer answer =
        client.post("/auth/login", null, ApiClient.json(Map.of("email", email)));
    assertThat(answer.status()).isEqualTo(202);
    assertThat(mailsTo(email)).isEmpty();
  }

  @Test
  void theLinkOpensAPageAndOnlyItsFormSignsInWithSecureCookies() {
    Customer customer = api.customer("starter");
    String token = requestLink(customer.email());

    ApiClient.Answer page = client.get("/auth/callback?token=" + token, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body())
        .contains("<form method=\"post\" action=\"/auth/callback\"")
        .contains(token);
    // not no-referrer: with it, browsers post the form with "Origin: null", refused below
    assertThat(page.response().headers().firstValue("Referrer-Policy")).hasValue("same-origin");
    ApiClient.Answer opaque =
        client.send(
            client
                .request("/auth/callback")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", "null")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)));
    assertThat(opaque.status()).isEqualTo(403);

    ApiClient.Answer fromElsewhere =
        client.send(
            client
                .request("/auth/callback")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)));
    assertThat(fromElsewhere.status()).isEqualTo(403);

    ApiClient.Answer signedIn =
        client.send(
            client
                .request("/auth/callback")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", ApiFixture.PUBLIC_URL)
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)));
    assertThat(signedIn.status()).isEqualTo(303);
    assertThat(signedIn.response().headers().firstValue("Location"))
        .contains(ApiFixture.PUBLIC_URL + "/dashboard");
    List<String> cookies = signedIn.response().headers().allValues("Set-Cookie");
    assertThat(cookies).hasSize(2);
    assertThat(cookies)
        .allMatch(
            c -> c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Lax"));
    String session =
        cookies.stream()
            .filter(c -> c.startsWith("oc_session="))
            .findFirst()
            .orElseThrow()
            .split(";")[0];

    ApiClient.Answer me = client.send(client.request("/me").header("Cookie", session).GET());
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().path("email").asText()).isEqualTo(customer.email());
  }

  @Test
  void aRefreshTokenWorksOnceAndLogoutEndsBothTokens() {
    Customer customer = api.customer("starter");
    ApiClient.Tokens first = client.signIn(customer.id());

    ApiClient.Answer refreshed =
        client.post("/auth/refresh", null, ApiClient.json(Map.of("refreshToken", first.refresh())));
    assertThat(refreshed.status()).isEqualTo(200);
    String access = refreshed.json().path("accessToken").asText();
    String refresh = refreshed.json().path("refreshToken").asText();
    assertThat(client.get("/me", access).status()).isEqualTo(200);
    assertThat(
            client
                .post(
                    "/auth/refresh", null, ApiClient.json(Map.of("refreshToken", first.refresh())))
                .status())
        .isEqualTo(401);
    // A refresh token is no access token.
    assertThat(client.get("/me", refresh).status()).isEqualTo(401);

    ApiClient.Answer logout =
        client.post("/auth/logout", access, ApiClient.json(Map.of("refreshToken", refresh)));
    assertThat(logout.status()).isEqualTo(204);
    assertThat(logout.response().headers().allValues("Set-Cookie"))
        .allMatch(c -> c.contains("Max-Age=0"));
    assertThat(client.get("/me", access).status()).isEqualTo(401);
    assertThat(
            client
                .post("/auth/refresh", null, ApiClient.json(Map.of("refreshToken", refresh)))
                .status())
        .isEqualTo(401);
    // Other sessions of the same customer go on.
    assertThat(client.get("/me", first.access()).status()).isEqualTo(200);
  }

  @Test
  void aBrowserWhoseAccessTokenExpiredStillSignsOutAndItsRefreshTokenDies() {
    Customer customer = api.customer("starter");
    ApiClient.Tokens tokens = client.exchange(requestLink(customer.email()));
    // an access token of this customer that expired an hour ago, as a browser left open holds
    String expired =
        new SessionTokens(
                api.settings.signingKeys(),
                api.settings.issuer(),
                Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC))
            .issue(
                SessionTokens.Use.ACCESS,
                customer.email(),
                customer.id(),
                Set.of("customer"),
                Duration.ofMinutes(15))
            .token();
    assertThat(client.get("/me", expired).status()).isEqualTo(401);

    ApiClient.Answer logout =
        client.send(
            client
                .request("/auth/logout")
                .header("Cookie", "oc_session=" + expired + "; oc_refresh=" + tokens.refresh())
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(logout.status()).isEqualTo(204);
    assertThat(logout.response().headers().allValues("Set-Cookie"))
        .hasSize(2)
        .allMatch(c -> c.contains("Max-Age=0"));
    assertThat(
            client
                .post(
                    "/auth/refresh", null, ApiClient.json(Map.of("refreshToken", tokens.refresh())))
                .status())
        .isEqualTo(401);

    // with neither token valid there is nobody to sign out
    ApiClient.Answer nobody =
        client.send(
            client
                .request("/auth/logout")
                .header("Cookie", "oc_session=" + expired)
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(nobody.status()).isEqualTo(401);
  }

  @Test
  void anotherSitesPageCannotTradeALinkForASession() {
    Customer customer = api.customer("starter");
    String token = requestLink(customer.email());
    for (String origin : List.of("https://evil.example", "null")) {
      ApiClient.Answer answer =
          client.send(
              client
                  .request("/auth/session")
                  .header("Content-Type", "application/json")
                  .header("Origin", origin)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(ApiClient.json(Map.of("token", token)))));
      assertThat(answer.status()).as(origin).isEqualTo(403);
      assertThat(answer.response().headers().allValues("Set-Cookie")).as(origin).isEmpty();
    }
    // the link still works for its own page (or an API client, which sends no Origin)
    ApiClient.Answer own =
        client.send(
            client
                .request("/auth/session")
                .header("Content-Type", "application/json")
                .header("Origin", ApiFixture.PUBLIC_URL)
                .POST(HttpRequest.BodyPublishers.ofString(ApiClient.json(Map.of("token", token)))));
    assertThat(own.status()).isEqualTo(200);
  }

  @Test
  void anAdminWhoIsNoCustomerSignsInAsAdmin() {
    String token = requestLink(ApiFixture.ADMIN);
    ApiClient.Tokens tokens = client.exchange(token);

    ApiClient.Answer me = client.get("/me", tokens.access());
    assertThat(me.json().path("roles").toString()).isEqualTo("[\"admin\"]");
    assertThat(me.json().path("customer").isNull()).isTrue();
    assertThat(client.get("/admin/customers", tokens.access()).status()).isEqualTo(200);
    assertThat(client.get("/me/box", tokens.access()).status()).isEqualTo(404);
  }

  @Test
  void theInternalEndpointNeedsTheServiceToken() {
    Customer customer = api.customer("starter");
    String body = ApiClient.json(Map.of("customerId", customer.id().toString()));

    assertThat(client.post("/internal/sign-in-links", null, body).status()).isEqualTo(401);
    assertThat(client.post("/internal/sign-in-links", "wrong-token-0123456789", body).status())
        .isEqualTo(401);
    ApiClient.Answer minted =
        client.post("/internal/sign-in-links", ApiFixture.INTERNAL_TOKEN, body);
    assertThat(minted.status()).isEqualTo(201);
    assertThat(minted.json().path("url").asText())
        .startsWith(ApiFixture.PUBLIC_URL + "/auth/callback?token=");
    assertThat(
            client
                .post(
                    "/internal/sign-in-links",
                    ApiFixture.INTERNAL_TOKEN,
                    ApiClient.json(Map.of("customerId", java.util.UUID.randomUUID().toString())))
                .status())
        .isEqualTo(404);
    ApiClient.Answer notUuid =
        client.post(
            "/internal/sign-in-links",
            ApiFixture.INTERNAL_TOKEN,
            ApiClient.json(Map.of("customerId", "nope")));
    assertThat(notUuid.status()).isEqualTo(400);
    assertThat(notUuid.field()).isEqualTo("customerId");
  }

  @Test
  void badLoginBodiesAreRefusedNamingTheField() {
    ApiClient.Answer malformed = client.post("/auth/login", null, "{\"email\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.code()).isEqualTo("invalid_input");

    ApiClient.Answer wrongType = client.post("/auth/login", null, "{\"email\": [1]}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.field()).isEqualTo("email");

    ApiClient.Answer unknown =
        client.post("/auth/login", null, "{\"email\": \"a@b.co\", \"admin\": true}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.field()).isEqualTo("admin");

    ApiClient.Answer overlong =
        client.post(
            "/auth/login", null, ApiClient.json(Map.of("email", "a".repeat(250) + "@b.co")));
    assertThat(overlong.status()).isEqualTo(400);
    assertThat(overlong.field()).isEqualTo("email");

    ApiClient.Answer notAnEmail =
        client.post("/auth/login", null, ApiClient.json(Map.of("email", "not-an-email")));
    assertThat(notAnEmail.status()).isEqualTo(400);
    assertThat(notAnEmail.field()).isEqualTo("email");

    ApiClient.Answer huge =
        client.post("/auth/login", null, "{\"email\": \"" + "a".repeat(70_000) + "@b.co\"}");
    assertThat(huge.status()).isEqualTo(400);
    assertThat(huge.code()).isEqualTo("invalid_input");

    ApiClient.Answer overlongToken =
        client.post("/auth/session", null, ApiClient.json(Map.of("token", "t".repeat(101))));
    assertThat(overlongToken.status()).isEqualTo(400);
    assertThat(overlongToken.field()).isEqualTo("token");

    ApiClient.Answer tokenOfWrongType = client.post("/auth/session", null, "{\"token\": [12]}");
    assertThat(tokenOfWrongType.status()).isEqualTo(400);
    assertThat(tokenOfWrongType.field()).isEqualTo("token");

    ApiClient.Answer unknownRefreshField =
        client.post("/auth/refresh", null, "{\"refreshToken\": \"x\", \"sudo\": 1}");
    assertThat(unknownRefreshField.status()).isEqualTo(400);
    assertThat(unknownRefreshField.field()).isEqualTo("sudo");

    ApiClient.Answer jsonToTheForm = client.post("/auth/callback", null, "{\"token\":\"x\"}");
    assertThat(jsonToTheForm.status()).isEqualTo(400);
    assertThat(jsonToTheForm.field()).isEqualTo("token");

    ApiClient.Answer empty = client.post("/auth/login", null, null);
    assertThat(empty.status()).isEqualTo(400);
    assertThat(Optional.ofNullable(empty.code())).contains("invalid_input");
  }

  private ApiClient.Answer postAs(String path, String contentType, String body) {
    HttpRequest.Builder request = client.request(path);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return client.send(request.POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /**
   * Login CSRF: a page of any site may post text/plain or a form without asking the browser; a body
   * of JSON sent so must neither mail a link nor trade one for a session.
   */
  @Test
  void onlyJsonBodiesAreReadSoAnotherSitesFormCannotSignAnyoneIn() {
    Customer customer = api.customer("starter");
    String login = ApiClient.json(Map.of("email", customer.email()));

    for (String type :
        new String[] {
          "text/plain",
          "text/plain; charset=utf-8",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/jsonp",
          null
        }) {
      ApiClient.Answer refused = postAs("/auth/login", type, login);
      assertThat(refused.status()).as("Content-Type %s", type).isEqualTo(415);
      assertThat(refused.code()).isEqualTo("unsupported_media_type");
    }
    assertThat(mailsTo(customer.email())).isEmpty();

    String token = requestLink(customer.email());
    ApiClient.Answer plain =
        postAs("/auth/session", "text/plain", ApiClient.json(Map.of("token", token)));
    assertThat(plain.status()).isEqualTo(415);
    assertThat(plain.response().headers().allValues("Set-Cookie")).isEmpty();

    ApiClient.Answer withCharset =
        postAs(
            "/auth/session",
            "Application/JSON; charset=UTF-8",
            ApiClient.json(Map.of("token", token)));
    assertThat(withCharset.status()).isEqualTo(200);
  }

  @Test
  void contentAfterTheJsonValueIsRefused() {
    Customer customer = api.customer("starter");
    String login = ApiClient.json(Map.of("email", customer.email()));

    for (String body : new String[] {login + " x", login + login, login + " []", login + " 1"}) {
      ApiClient.Answer refused = client.post("/auth/login", null, body);
      assertThat(refused.status()).as("body %s", body).isEqualTo(400);
      assertThat(refused.code()).isEqualTo("invalid_input");
    }
    assertThat(mailsTo(customer.email())).isEmpty();

    assertThat(client.post("/auth/login", null, " " + login + " \n").status()).isEqualTo(202);
  }
}
