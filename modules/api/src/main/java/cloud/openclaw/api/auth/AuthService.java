package cloud.openclaw.api.auth;

import static cloud.openclaw.api.http.ApiService.Route.get;
import static cloud.openclaw.api.http.ApiService.Route.post;

import cloud.openclaw.api.ApiSettings;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.LinkPage;
import cloud.openclaw.api.http.Requests;
import cloud.openclaw.platform.crypto.Sha256;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.CustomerStore;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Sign-in by email link, session refresh and logout ({@code /auth}). */
public final class AuthService implements ApiService {
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
  static final int MAX_EMAIL = 254;

  private final Database database;
  private final CustomerStore customers;
  private final SignInLinks links;
  private final Sessions sessions;
  private final LoginLimits limits;
  private final ApiSettings settings;

  public AuthService(
      Database database,
      CustomerStore customers,
      SignInLinks links,
      Sessions sessions,
      LoginLimits limits,
      ApiSettings settings) {
    this.database = database;
    this.customers = customers;
    this.links = links;
    this.sessions = sessions;
    this.limits = limits;
    this.settings = settings;
  }

  @Override
  public String prefix() {
    return "/auth";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        post("/login", this::login),
        get("/callback", this::confirmPage),
        post("/callback", this::callback),
        post("/session", this::session),
        post("/refresh", this::refresh),
        post("/logout", this::logout));
  }

  record LoginRequest(String email) {}

  record LinkToken(String token) {}

  record RefreshRequest(String refreshToken) {}

  /**
   * Mails a link when the email belongs to a customer or an admin; answers the same either way, so
   * that nobody learns from it who has an account.
   */
  private void login(ServerRequest request, ServerResponse response) {
    String email = email(Requests.body(request, LoginRequest.class).email());
    limits.attempt(Sha256.hex(email), clientIp(request));
    Optional<Customer> customer = customers.findByEmail(database.execute(), email);
    if (customer.isPresent()) {
      links.send(customer.get().email(), customer.get().id());
    } else if (settings.isAdmin(email)) {
      links.send(email, null);
    }
    Json.send(
        response,
        Status.ACCEPTED_202,
        Map.of("message", "If this email has an account, a sign-in link is on its way."));
  }

  /**
   * The link in the mail opens a page whose button signs in: mail scanners that follow links must
   * not use up the one-time token.
   */
  private void confirmPage(ServerRequest request, ServerResponse response) {
    LinkPage.send(
        request,
        response,
        "Sign in to OpenClaw Cloud",
        "One click finishes signing in on this device. The link works once.",
        "/auth/callback",
        "Sign in to OpenClaw Cloud");
  }

  /** The page's form: signs in with cookies and goes to the dashboard. */
  private void callback(ServerRequest request, ServerResponse response) {
    requireOwnOrigin(request);
    if (request.content().hasEntity() && !LinkPage.isForm(request)) {
      throw new InvalidInputException(
          "token", "send the token as a form (application/x-www-form-urlencoded)");
    }
    Sessions.Pair pair = sessions.start(consume(LinkPage.postedToken(request)));
    sessions.setCookies(response, pair);
    response.status(Status.SEE_OTHER_303);
    response.header(HeaderNames.LOCATION, settings.webUrl("/dashboard").toString());
    response.send();
  }

  /** For API clients: the link's token for tokens (and the cookies too). */
  private void session(ServerRequest request, ServerResponse response) {
    requireOwnOrigin(request);
    String token = Requests.body(request, LinkToken.class).token();
    Sessions.Pair pair = sessions.start(consume(Requests.text("token", token, 100)));
    sessions.setCookies(response, pair);
    Json.send(response, Status.OK_200, tokens(pair));
  }

  private void refresh(ServerRequest request, ServerResponse response) {
    String token =
        Requests.optionalBody(request, RefreshRequest.class)
            .map(RefreshRequest::refreshToken)
            .or(() -> Sessions.cookie(request, Sessions.REFRESH_COOKIE))
            .orElse(null);
    Sessions.Pair pair = sessions.refresh(token);
    sessions.setCookies(response, pair);
    Json.send(response, Status.OK_200, tokens(pair));
  }

  private void logout(ServerRequest request, ServerResponse response) {
    String refresh =
        Requests.optionalBody(request, RefreshRequest.class)
            .map(RefreshRequest::refreshToken)
            .or(() -> Sessions.cookie(request, Sessions.REFRESH_COOKIE))
            .orElse(null);
    sessions.logout(request, refresh);
    sessions.clearCookies(response);
    response.status(Status.NO_CONTENT_204);
    response.send();
  }

  /**
   * A browser's request from another site's page is refused: it must not sign a visitor into an
   * account of its choosing. API clients send no Origin.
   */
  private void requireOwnOrigin(ServerRequest request) {
    Requests.requireOrigin(request, settings.origin());
  }

  private String consume(String token) {
    return links
        .consume(token)
        .orElseThrow(
            () ->
                new UnauthorizedException(
                    "this sign-in link has expired or was used already: ask for a new one"));
  }

  private static Map<String, Object> tokens(Sessions.Pair pair) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("tokenType", "Bearer");
    body.put("accessToken", pair.access().token());
    body.put("accessTokenExpiresAt", pair.access().expiresAt());
    body.put("refreshToken", pair.refresh().token());
    body.put("refreshTokenExpiresAt", pair.refresh().expiresAt());
    return body;
  }

  /** A lowercased email address, or the field's error. */
  public static String email(String raw) {
    String email = Requests.text("email", raw, MAX_EMAIL).toLowerCase(Locale.ROOT);
    if (!EMAIL.matcher(email).matches()) {
      throw new InvalidInputException("email", "'email' is not an email address");
    }
    return email;
  }

  private String clientIp(ServerRequest request) {
    return Requests.clientIp(request, settings.clientIpHeader());
  }
}
