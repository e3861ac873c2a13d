package cloud.openclaw.api.auth;

import cloud.openclaw.api.ApiSettings;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.logging.LogContext;
import cloud.openclaw.platform.store.CustomerStore;
import io.helidon.http.ForbiddenException;
import io.helidon.http.HeaderNames;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Sessions: started from a consumed sign-in link, carried as a cookie (web) or a Bearer token (API
 * clients), refreshed with a single-use refresh token, ended by revoking both tokens.
 */
public final class Sessions {
  public static final String ACCESS_COOKIE = "oc_session";
  public static final String REFRESH_COOKIE = "oc_refresh";
  private static final String REFRESH_PATH = "/auth";

  private final SessionTokens tokens;
  private final Revocations revocations;
  private final Database database;
  private final CustomerStore customers;
  private final ApiSettings settings;

  public Sessions(
      SessionTokens tokens,
      Revocations revocations,
      Database database,
      CustomerStore customers,
      ApiSettings settings) {
    this.tokens = tokens;
    this.database = database;
    this.revocations = revocations;
    this.customers = customers;
    this.settings = settings;
  }

  /** An access token and a refresh token, issued together. */
  public record Pair(SessionTokens.Issued access, SessionTokens.Issued refresh) {}

  /** Starts a session for whoever signs in with {@code email}: a customer, an admin or both. */
  public Pair start(String email) {
    Optional<Customer> customer = customers.findByEmail(database.execute(), email);
    Set<String> roles = new LinkedHashSet<>();
    customer.ifPresent(c -> roles.add(Session.CUSTOMER));
    if (settings.isAdmin(email)) {
      roles.add(Session.ADMIN);
    }
    if (roles.isEmpty()) {
      throw new UnauthorizedException("there is no account for this email");
    }
    UUID customerId = customer.map(Customer::id).orElse(null);
    String canonical = customer.map(Customer::email).orElse(email);
    return new Pair(
        tokens.issue(SessionTokens.Use.ACCESS, canonical, customerId, roles, settings.accessTtl()),
        tokens.issue(
            SessionTokens.Use.REFRESH, canonical, customerId, roles, settings.refreshTtl()));
  }

  /** The signed-in session of the request, or 401. */
  public Session require(ServerRequest request) {
    String token =
        accessToken(request).orElseThrow(() -> new UnauthorizedException("sign in first"));
    Session session = tokens.verify(token, SessionTokens.Use.ACCESS);
    if (revocations.isRevoked(session.tokenId())) {
      throw new UnauthorizedException("the session has ended: sign in again");
    }
    if (!session.isAdmin()) {
      // An admin's requests are about other people's boxes: their own account would mislead.
      LogContext.customer(session.customerId());
    }
    return session;
  }

  /** The signed-in customer's id; an admin who is no customer has nothing here (404). */
  public UUID requireCustomer(ServerRequest request) {
    Session session = require(request);
    if (session.customerId() == null) {
      throw new NotFoundException("customer");
    }
    LogContext.customer(session.customerId());
    return session.customerId();
  }

  /** The session of a signed-in admin (still listed in the configuration), else 401 or 403. */
  public Session requireAdmin(ServerRequest request) {
    Session session = require(request);
    if (!session.isAdmin() || !settings.isAdmin(session.email())) {
      throw new ForbiddenException("this needs an admin");
    }
    return session;
  }

  /** Exchanges a refresh token for a new pair; each refresh token works once. */
  public Pair refresh(String refreshToken) {
    if (refreshToken == null || refreshToken.isBlank()) {
      throw new UnauthorizedException("no refresh token: sign in again");
    }
    Session session = tokens.verify(refreshToken, SessionTokens.Use.REFRESH);
    if (!revocations.revoke(session.tokenId(), session.expiresAt())) {
      throw new UnauthorizedException("the refresh token was used already: sign in again");
    }
    return start(session.email());
  }

  /**
   * Ends the session at this browser or client: its access token and its refresh token (cookie or
   * body) stop working. Either one proves who asks, so a browser whose access token has expired
   * still signs out (its refresh token revoked); with neither valid, 401.
   */
  public void logout(ServerRequest request, String refreshToken) {
    Optional<Session> access =
        accessToken(request).flatMap(t -> verified(t, SessionTokens.Use.ACCESS));
    Optional<Session> refresh =
        Optional.ofNullable(refreshToken)
            .filter(token -> !token.isBlank())
            .flatMap(t -> verified(t, SessionTokens.Use.REFRESH));
    if (access.isEmpty() && refresh.isEmpty()) {
      throw new UnauthorizedException("sign in first");
    }
    access.ifPresent(session -> revocations.revoke(session.tokenId(), session.expiresAt()));
    refresh.ifPresent(session -> revocations.revoke(session.tokenId(), session.expiresAt()));
  }

  /** The token's session if it is valid (signature, claims, not expired, not revoked). */
  private Optional<Session> verified(String token, SessionTokens.Use use) {
    try {
      Session session = tokens.verify(token, use);
      return revocations.isRevoked(session.tokenId()) ? Optional.empty() : Optional.of(session);
    } catch (UnauthorizedException e) {
      return Optional.empty();
    }
  }

  /** Sets both cookies: HttpOnly, Secure, SameSite=Lax; the refresh cookie only for /auth. */
  public void setCookies(ServerResponse response, Pair pair) {
    response
        .headers()
        .add(
            HeaderNames.SET_COOKIE,
            cookie(ACCESS_COOKIE, pair.access().token(), "/", settings.accessTtl().toSeconds()),
            cookie(
                REFRESH_COOKIE,
                pair.refresh().token(),
                REFRESH_PATH,
                settings.refreshTtl().toSeconds()));
  }

  public void clearCookies(ServerResponse response) {
    response
        .headers()
        .add(
            HeaderNames.SET_COOKIE,
            cookie(ACCESS_COOKIE, "", "/", 0),
            cookie(REFRESH_COOKIE, "", REFRESH_PATH, 0));
  }

  private static String cookie(String name, String value, String path, long maxAgeSeconds) {
    return name
        + "="
        + value
        + "; Path="
        + path
        + "; Max-Age="
        + maxAgeSeconds
        + "; HttpOnly; Secure; SameSite=Lax";
  }

  /** The Bearer token, else the session cookie. */
  static Optional<String> accessToken(ServerRequest request) {
    Optional<String> authorization =
        request.headers().first(HeaderNames.AUTHORIZATION).map(String::strip);
    if (authorization.isPresent()) {
      String value = authorization.get();
      if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Optional.of(value.substring(7).strip());
      }
      throw new UnauthorizedException("the Authorization header must be a Bearer token");
    }
    return cookie(request, ACCESS_COOKIE);
  }

  static Optional<String> cookie(ServerRequest request, String name) {
    return request.headers().cookies().first(name).filter(value -> !value.isBlank());
  }
}
