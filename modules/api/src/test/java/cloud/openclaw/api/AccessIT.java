package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.api.auth.Session;
import cloud.openclaw.api.auth.SessionTokens;
import cloud.openclaw.api.auth.SigningKeys;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.platform.domain.Customer;
import io.helidon.http.Method;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every route that needs a session, taken from the services themselves, refuses a request without
 * one, or with an expired, tampered, foreign or unsigned token (401, the one JSON error shape).
 */
@ServerTest
class AccessIT {
  /** Routes anyone may call (sign-in itself, the document) or that take the service token. */
  private static final Set<String> PUBLIC =
      Set.of(
          "POST /auth/login",
          "GET /auth/callback",
          "POST /auth/callback",
          "POST /auth/session",
          "POST /auth/refresh",
          "POST /internal/sign-in-links",
          "GET /openapi",
          "POST /stripe/webhook",
          "POST /billing/checkout",
          "POST /signup",
          // a mailed link continues a sign-up
          "GET /signup/continue",
          "POST /signup/continue",
          // the web chat: bound to its own cookie, not to a session
          "POST /onboarding/sessions",
          "GET /onboarding/chat/{sessionId}",
          // what the landing page shows
          "GET /site");

  static ApiFixture api;
  private final ApiClient client;

  AccessIT(URI uri) {
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api = ApiFixture.start(AccessIT.class);
    api.routing(routing);
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  private record Target(Method method, String path) {
    @Override
    public String toString() {
      return method.text() + " " + path;
    }
  }

  /** Every protected route with a made-up id in its path. */
  private static List<Target> protectedRoutes() {
    List<Target> targets = new ArrayList<>();
    for (ApiService service : api.services) {
      for (ApiService.Route route : service.routes()) {
        String path =
            OpenApiIT.fullPath(service, route).replace("{id}", UUID.randomUUID().toString());
        Target target = new Target(route.method(), path);
        if (!PUBLIC.contains(route.method().text() + " " + OpenApiIT.fullPath(service, route))) {
          targets.add(target);
        }
      }
    }
    assertThat(targets).hasSizeGreaterThan(15);
    return targets;
  }

  private ApiClient.Answer call(Target target, String authorization) {
    HttpRequest.Builder request = client.request(target.path());
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    request.header("Content-Type", "application/json");
    request.method(
        target.method().text(),
        target.method() == Method.GET
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{}"));
    return client.send(request);
  }

  private static String issuedBy(SigningKeys keys, Instant at, UUID customer, Set<String> roles) {
    return new SessionTokens(keys, "openclaw-cloud", Clock.fixed(at, ZoneOffset.UTC))
        .issue(SessionTokens.Use.ACCESS, ApiFixture.ADMIN, customer, roles, Duration.ofMinutes(15))
        .token();
  }

  @Test
  void everyProtectedRouteRefusesMissingExpiredTamperedAndForeignTokens() {
    Customer customer = api.customer("pro");
    api.box(customer);
    String valid = client.signIn(customer.id()).access();
    Set<String> roles = Set.of(Session.CUSTOMER, Session.ADMIN);
    String expired =
        issuedBy(
            api.settings.signingKeys(),
            Instant.now().minus(Duration.ofHours(1)),
            customer.id(),
            roles);
    String foreign =
        issuedBy(
            new SigningKeys("test1", Map.of("test1", SigningKeys.generate())),
            Instant.now(),
            customer.id(),
            roles);
    String tampered = ForgedTokens.promotedToAdmin(valid);
    String unsigned = ForgedTokens.unsigned(valid);
    Map<String, String> bad =
        Map.of(
            "absent", "",
            "expired", "Bearer " + expired,
            "tampered", "Bearer " + tampered,
            "foreign key", "Bearer " + foreign,
            "unsigned", "Bearer " + unsigned,
            "garbage", "Bearer not.a.jwt",
            "not bearer", "Basic " + valid);

    for (Target target : protectedRoutes()) {
      bad.forEach(
          (what, authorization) -> {
            ApiClient.Answer answer = call(target, authorization.isEmpty() ? null : authorization);
            assertThat(answer.status()).as(target + " with " + what + " token").isEqualTo(401);
            assertThat(answer.code()).as(target + " with " + what).isEqualTo("unauthorized");
          });
    }
  }

  @Test
  void aValidSessionNeverMeetsA500() {
    Customer customer = api.customer("pro");
    api.box(customer);
    String token = client.signIn(customer.id()).access();
    for (Target target : protectedRoutes()) {
      if (target.path().equals("/me/box/events")) {
        continue; // a stream: covered by BoxEventsIT
      }
      ApiClient.Answer answer = call(target, "Bearer " + token);
      assertThat(answer.status()).as(target + ": " + answer.body()).isLessThan(500);
    }
  }
}
