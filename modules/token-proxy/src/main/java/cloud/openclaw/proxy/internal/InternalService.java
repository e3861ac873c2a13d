package cloud.openclaw.proxy.internal;

import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.ProxyToken;
import cloud.openclaw.platform.domain.ProxyTokenStatus;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.proxy.TokenProxyClient.IssuedToken;
import cloud.openclaw.platform.proxy.TokenProxyClient.TokenView;
import cloud.openclaw.platform.proxy.TokenProxyClient.UsageView;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.ProxySettings;
import cloud.openclaw.proxy.auth.Authenticator;
import cloud.openclaw.proxy.auth.CustomerLimits;
import cloud.openclaw.proxy.limits.Limiter;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * {@code /internal}: what the operator and the billing worker ask of the proxy. It listens on its
 * own port, never exposed publicly, and answers only the service token. Every change is pushed to
 * all replicas' caches before the call returns.
 */
public final class InternalService implements HttpService {
  private static final Logger LOG = Logger.getLogger(InternalService.class.getName());

  private static final Pattern PLATFORM_ACCOUNT = Pattern.compile("^[a-z][a-z0-9-]{0,39}$");
  // Where the platform's own accounts' addresses are: a reserved domain, so no mail reaches anyone.
  private static final String PLATFORM_ACCOUNT_DOMAIN = "@platform.openclaw.invalid";

  private final Database database;
  private final ProxyTokenStore tokens;
  private final UsageStore usage;
  private final Authenticator authenticator;
  private final Limiter limiter;
  private final byte[] serviceToken;
  private final Plan platformPlan;
  private final CustomerStore customers;
  private final Clock clock;

  public InternalService(
      Database database,
      Authenticator authenticator,
      Limiter limiter,
      String serviceToken,
      Plan platformPlan,
      Clock clock) {
    this.database = database;
    this.platformPlan = platformPlan;
    this.customers = new CustomerStore(database);
    this.clock = clock;
    this.tokens = new ProxyTokenStore(database);
    this.usage = new UsageStore(database);
    this.authenticator = authenticator;
    this.limiter = limiter;
    this.serviceToken = ("Bearer " + serviceToken).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .any(this::requireServiceToken)
        .post("/boxes/{box}/tokens", this::issue)
        .post("/platform-accounts/{account}/tokens", this::issueForPlatform)
        .post("/boxes/{box}/tokens/{action}", this::boxTokens)
        .post("/tokens/{token}/{action}", this::token)
        .put("/customers/{customer}/period", this::openPeriod)
        .put("/customers/{customer}/allowance", this::changeAllowance)
        .post("/customers/{customer}/changed", this::customerChanged)
        .get("/customers/{customer}/usage", this::usage);
  }

  private void requireServiceToken(ServerRequest request, ServerResponse response) {
    byte[] presented =
        request
            .headers()
            .first(HeaderNames.AUTHORIZATION)
            .orElse("")
            .getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(presented, serviceToken)) {
      Json.send(
          response,
          Status.UNAUTHORIZED_401,
          Map.of("error", Map.of("code", "unauthorized", "message", "service token required")));
      return;
    }
    response.next();
  }

  private void issue(ServerRequest request, ServerResponse response) {
    UUID box = id(request, "box");
    cloud.openclaw.platform.domain.IssuedToken issued = tokens.issue(database.execute(), box);
    ProxyToken token = issued.proxyToken();
    LOG.info("token " + token.id() + " issued for box " + box);
    Json.send(
        response,
        Status.CREATED_201,
        new IssuedToken(token.id(), box, issued.token(), token.tokenPrefix(), status(token)));
  }

  /**
   * A new token for the platform's own account {@code account} (the onboarding agent's, say), made
   * on first use with the platform plan and its first period (30 days from now; the next ones open
   * as each ends). The operator, reconciler and billing never see it: it has no box and no
   * subscription.
   */
  private void issueForPlatform(ServerRequest request, ServerResponse response) {
    String name = request.path().pathParameters().get("account");
    if (!PLATFORM_ACCOUNT.matcher(name).matches()) {
      throw new InvalidInputException("account", "1-40 of a-z, 0-9 and -, starting with a letter");
    }
    cloud.openclaw.platform.domain.IssuedToken issued =
        database.inTransaction(
            tx -> {
              Customer account =
                  customers.platformAccount(
                      tx.execute(), name + PLATFORM_ACCOUNT_DOMAIN, ProxySettings.PLATFORM_PLAN);
              if (usage.latestPeriod(tx.execute(), account.id()).isEmpty()) {
                Instant now = clock.instant();
                usage.openPeriod(
                    tx.execute(),
                    account.id(),
                    now,
                    now.plus(Duration.ofDays(30)),
                    platformPlan.monthlyTokens());
              }
              return tokens.issueForPlatformAccount(tx.execute(), account.id());
            });
    ProxyToken token = issued.proxyToken();
    LOG.info("token " + token.id() + " issued for platform account " + name);
    Json.send(
        response,
        Status.CREATED_201,
        new IssuedToken(token.id(), null, issued.token(), token.tokenPrefix(), status(token)));
  }

  private void boxTokens(ServerRequest request, ServerResponse response) {
    UUID box = id(request, "box");
    String action = request.path().pathParameters().get("action");
    List<ProxyToken> changed =
        switch (action) {
          case "suspend" -> tokens.suspendForBox(database.execute(), box);
          case "resume" -> tokens.reactivateForBox(database.execute(), box);
          case "revoke" -> tokens.revokeAllForBox(database.execute(), box);
          default -> throw new NotFoundException("action");
        };
    // Every token of the box, not only those changed now: a retry after an announcement failed
    // (Redis unreachable after the commit) changes nothing, and must announce all the same.
    tokens.listForBox(database.execute(), box).forEach(authenticator::tokenChanged);
    LOG.info("box " + box + ": " + action + " changed " + changed.size() + " token(s)");
    Json.send(response, Status.OK_200, changed.stream().map(InternalService::view).toList());
  }

  private void token(ServerRequest request, ServerResponse response) {
    UUID id = id(request, "token");
    ProxyTokenStatus status =
        switch (request.path().pathParameters().get("action")) {
          case "suspend" -> ProxyTokenStatus.SUSPENDED;
          case "resume" -> ProxyTokenStatus.ACTIVE;
          case "revoke" -> ProxyTokenStatus.REVOKED;
          default -> throw new NotFoundException("action");
        };
    ProxyToken token = tokens.setStatus(database.execute(), id, status);
    LOG.info("token " + id + " now " + status.dbValue());
    authenticator.tokenChanged(token);
    Json.send(response, Status.OK_200, view(token));
  }

  private void openPeriod(ServerRequest request, ServerResponse response) {
    UUID customer = id(request, "customer");
    requireCustomer(customer);
    PeriodRequest period = Json.read(body(request), PeriodRequest.class);
    period.validate();
    // Stripe's period, keyed by its start: the one the proxy rolled over to is confirmed (its end
    // and allowance corrected), never reset.
    UsageMonthly opened =
        usage.openPeriod(
            database.execute(), customer, period.start(), period.end(), period.allowance());
    limiter.periodChanged(opened);
    authenticator.customerChanged(customer);
    Json.send(response, Status.OK_200, usageOf(customer));
  }

  // A plan change within the period: the new allowance applies at once, on every replica.
  private void changeAllowance(ServerRequest request, ServerResponse response) {
    UUID customer = id(request, "customer");
    AllowanceRequest change = Json.read(body(request), AllowanceRequest.class);
    if (change.allowance() == null || change.allowance() < 0) {
      throw new InvalidInputException("allowance", "required, and not negative");
    }
    UsageMonthly period = currentPeriod(customer);
    UsageMonthly changed =
        usage.setAllowance(database.execute(), customer, period.periodStart(), change.allowance());
    limiter.periodChanged(changed);
    authenticator.customerChanged(customer);
    Json.send(response, Status.OK_200, usageOf(customer));
  }

  // The period now, the next one opened first when the last has ended and the subscription goes on.
  private UsageMonthly currentPeriod(UUID customer) {
    requireCustomer(customer);
    authenticator.limits(customer);
    return usage
        .currentPeriod(database.execute(), customer, clock.instant())
        .orElseThrow(() -> new NotFoundException("open billing period"));
  }

  private void customerChanged(ServerRequest request, ServerResponse response) {
    authenticator.customerChanged(id(request, "customer"));
    Json.send(response, Status.OK_200, Map.of("reloaded", true));
  }

  private void usage(ServerRequest request, ServerResponse response) {
    Json.send(response, Status.OK_200, usageOf(id(request, "customer")));
  }

  private UsageView usageOf(UUID customer) {
    UsageMonthly recorded = currentPeriod(customer);
    CustomerLimits limits = authenticator.limits(customer);
    Limiter.Counters live =
        limiter
            .counters(limits)
            .orElse(new Limiter.Counters(recorded.usedTokens(), 0, recorded.rejectedRequests()));
    return new UsageView(
        customer,
        recorded.periodStart(),
        recorded.periodEnd(),
        recorded.tokenAllowance(),
        Math.max(live.used(), recorded.usedTokens()),
        live.held(),
        recorded.usedTokens(),
        recorded.requests(),
        Math.max(live.refused(), recorded.rejectedRequests()));
  }

  // The limits of an unknown customer are a bug where a token names one; here, a caller's 404.
  private void requireCustomer(UUID customer) {
    if (customers.find(database.execute(), customer).isEmpty()) {
      throw new NotFoundException("customer");
    }
  }

  /** The request's body; none at all reads as empty (Json.read refuses it as a 400). */
  private static byte[] body(ServerRequest request) {
    return request.content().hasEntity() ? request.content().as(byte[].class) : new byte[0];
  }

  private static UUID id(ServerRequest request, String name) {
    String raw = request.path().pathParameters().get(name);
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(name, "'" + raw + "' is not a UUID");
    }
  }

  private static TokenView view(ProxyToken token) {
    return new TokenView(token.id(), token.boxId(), token.tokenPrefix(), status(token));
  }

  private static String status(ProxyToken token) {
    return token.status().dbValue();
  }

  /** A new allowance for the current period. */
  record AllowanceRequest(Long allowance) {}

  /** A billing period to open: [start, end) with its token allowance. */
  record PeriodRequest(Instant start, Instant end, Long allowance) {
    void validate() {
      if (start == null || end == null || allowance == null) {
        throw new InvalidInputException(
            start == null ? "start" : end == null ? "end" : "allowance", "required");
      }
      if (!end.isAfter(start)) {
        throw new InvalidInputException("end", "must be after start");
      }
      if (allowance < 0) {
        throw new InvalidInputException("allowance", "must not be negative");
      }
    }
  }
}
