package cloud.openclaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.api.auth.Session;
import cloud.openclaw.api.auth.SessionTokens;
import cloud.openclaw.api.auth.SigningKeys;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.OpenApiService;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.http.ErrorShape;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.testkit.BadInputs;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Method;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.AfterStop;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.helidon.webserver.testing.junit5.SetUpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Bad input on every route of the api: each route (as the services register them, which OpenApiIT
 * holds equal to /openapi) gets wrong JSON types, missing and extra fields (the fields its OpenAPI
 * request body names), huge strings, 10,000 levels of nesting, a large body, invalid UTF-8, wrong
 * content types, trailing content, path and query tricks, and missing, expired, forged and foreign
 * tokens and cookies, signed in and not. Never a 5xx; every 4xx in the one JSON error shape. The
 * counts per route go to target/bad-input-corpus-api.md (docs/reliability.md's table).
 */
@ServerTest
class BadInputCorpusIT {
  static ApiFixture api;
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final ApiClient client;

  BadInputCorpusIT(URI uri) {
    base = uri;
    client = new ApiClient(uri);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    api = ApiFixture.start(BadInputCorpusIT.class);
    api.routing(routing);
  }

  /** What HttpHost gives every server: refusals before routing in the JSON shape too. */
  @SetUpServer
  static void server(WebServerConfig.Builder server) {
    server.directHandlers(HttpHost.directHandlers(ErrorShape.PLATFORM, 1 << 20));
  }

  @AfterStop
  static void stop() {
    api.close();
  }

  @Test
  void everyRouteAnswersBadInputWithA4xxInTheErrorShapeNeverA5xx() throws Exception {
    JsonNode document = Json.MAPPER.readTree(OpenApiService.load());
    Customer customer = api.customer("pro");
    Map<String, BadInputs.Tally> tallies = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (ApiService service : api.services) {
      for (ApiService.Route route : service.routes()) {
        String path = OpenApiIT.fullPath(service, route);
        String method = route.method().text();
        JsonNode operation =
            document.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
        assertThat(operation.isMissingNode()).as(method + " " + path).isFalse();
        BadInputs.Tally tally =
            tallies.computeIfAbsent(method + " " + path, key -> new BadInputs.Tally());
        // Fresh sessions per route: a logout among the inputs ends only its own.
        Map<String, String> auth = authorizations(customer);
        List<BadInputs.Input> inputs = new ArrayList<>(BadInputs.pathAndQuery(method, path));
        if (route.method() != Method.GET) {
          inputs.addAll(BadInputs.bodies(method, path, fields(operation, document)));
        }
        for (BadInputs.Input input : inputs) {
          for (Map.Entry<String, String> as : authFor(operation, auth).entrySet()) {
            check(input, as.getKey(), as.getValue(), tally, failures);
          }
        }
        BadInputs.Input plain =
            new BadInputs.Input(
                "plain",
                method,
                BadInputs.concrete(path),
                route.method() == Method.GET ? null : "application/json",
                route.method() == Method.GET ? null : "{}".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, String> as : auth.entrySet()) {
          check(plain, as.getKey(), as.getValue(), tally, failures);
        }
      }
    }
    String table = BadInputs.table(tallies);
    Path out = Path.of("target", "bad-input-corpus-api.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
    System.out.println(table);
    assertThat(failures).isEmpty();
  }

  /** Sends one input; a failure unless the answer is below 400, or a 4xx in the error shape. */
  private void check(
      BadInputs.Input input,
      String authName,
      String authorization,
      BadInputs.Tally tally,
      List<String> failures)
      throws InterruptedException {
    Map<String, String> headers = new LinkedHashMap<>();
    if (authorization != null) {
      if (authorization.startsWith("Cookie:")) {
        headers.put("Cookie", authorization.substring("Cookie:".length()));
      } else {
        headers.put("Authorization", authorization);
      }
    }
    BadInputs.Answer answer = BadInputs.send(http, base, input, headers);
    tally.add(answer);
    String what = BadInputs.describe(input, authName, answer);
    if (input.name().startsWith("path +") && answer.contentType().startsWith("text/html")) {
      return; // "/.." took it out of the api: the web app's page (503 here: no site is built)
    }
    if (answer.status() < 0 || answer.status() >= 500) {
      failures.add(what);
    } else if (answer.status() >= 400 && !errorShaped(answer)) {
      failures.add("not in the error shape: " + what);
    }
  }

  static boolean errorShaped(BadInputs.Answer answer) {
    if (!answer.contentType().startsWith("application/json")) {
      return false;
    }
    try {
      JsonNode error = Json.MAPPER.readTree(answer.body()).path("error");
      return error.path("code").isTextual() && error.path("message").isTextual();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Who asks: nobody, expired, forged (a key not ours), tampered, "none"-signed, garbage, a garbage
   * cookie, an expired cookie, a customer, an admin, the internal tokens.
   */
  private Map<String, String> authorizations(Customer customer) {
    Set<String> roles = Set.of(Session.CUSTOMER, Session.ADMIN);
    String expired =
        issuedBy(
            api.settings.signingKeys(), Instant.now().minus(Duration.ofHours(1)), customer, roles);
    String forged =
        issuedBy(
            new SigningKeys("test1", Map.of("test1", SigningKeys.generate())),
            Instant.now(),
            customer,
            roles);
    String customerToken = client.signIn(customer.id()).access();
    String tampered = ForgedTokens.promotedToAdmin(customerToken);
    String unsigned = ForgedTokens.unsigned(customerToken);
    Map<String, String> auth = new LinkedHashMap<>();
    auth.put("anonymous", null);
    auth.put("expired jwt", "Bearer " + expired);
    auth.put("forged jwt", "Bearer " + forged);
    auth.put("tampered jwt", "Bearer " + tampered);
    auth.put("unsigned jwt", "Bearer " + unsigned);
    auth.put("garbage bearer", "Bearer " + "x".repeat(10_000));
    auth.put("garbage cookie", "Cookie:oc_session=%ff%00; oc_refresh=..%2f..");
    auth.put("expired cookie", "Cookie:oc_session=" + expired + "; oc_refresh=" + expired);
    auth.put("customer", "Bearer " + customerToken);
    auth.put("admin", "Bearer " + client.exchange(api.linkToken(ApiFixture.ADMIN)).access());
    auth.put("internal", "Bearer " + ApiFixture.INTERNAL_TOKEN);
    return auth;
  }

  /** Bad bodies and paths go to each route anonymously and as the role that may use it. */
  private static Map<String, String> authFor(JsonNode operation, Map<String, String> auth) {
    Map<String, String> chosen = new LinkedHashMap<>();
    chosen.put("anonymous", null);
    String role = operation.path("x-role").asText("");
    if (role.equals("admin")) {
      chosen.put("admin", auth.get("admin"));
    } else if (operation.has("security")) {
      chosen.put("customer", auth.get("customer"));
      chosen.put("internal", auth.get("internal"));
    }
    return chosen;
  }

  private static String issuedBy(
      SigningKeys keys, Instant at, Customer customer, Set<String> roles) {
    return new SessionTokens(keys, "openclaw-cloud", Clock.fixed(at, ZoneOffset.UTC))
        .issue(
            SessionTokens.Use.ACCESS,
            ApiFixture.ADMIN,
            customer.id(),
            roles,
            Duration.ofMinutes(15))
        .token();
  }

  /** The properties the operation's JSON request body names, {@code $ref}s followed. */
  static List<String> fields(JsonNode operation, JsonNode document) {
    JsonNode content = operation.path("requestBody").path("content");
    List<String> fields = new ArrayList<>();
    Iterator<JsonNode> media = content.elements();
    while (media.hasNext()) {
      JsonNode schema = media.next().path("schema");
      if (schema.has("$ref")) {
        String ref = schema.path("$ref").asText();
        schema = document.at(ref.substring(1));
      }
      schema.path("properties").fieldNames().forEachRemaining(fields::add);
    }
    return fields.stream().distinct().toList();
  }
}
