package cloud.openclaw.proxy.auth;

import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.crypto.ProxyTokens;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.ProxyToken;
import cloud.openclaw.platform.domain.Subscription;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.logging.LogContext;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import cloud.openclaw.platform.store.SubscriptionStore;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.OpenAiError;
import io.helidon.http.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns a bearer token into the grant and limits of its customer, from this replica's memory, Redis
 * or PostgreSQL, in that order. Tokens are looked up by SHA-256 only.
 */
public final class Authenticator implements AutoCloseable {
  private final TieredCache<TokenGrant> tokens;
  private final TieredCache<CustomerLimits> customers;
  private final ProxyTokenStore tokenStore;
  private final CustomerStore customerStore;
  private final SubscriptionStore subscriptions;
  private final UsageStore usage;
  private final Plans plans;
  private final Plan platformPlan;
  private final Database database;
  private final Clock clock;

  /**
   * @param plans the plans on sale, which customers are on
   * @param platformPlan the plan of the platform's own accounts
   */
  public Authenticator(
      Database database,
      Redis redis,
      EventBus bus,
      Plans plans,
      Plan platformPlan,
      Duration localTtl,
      Clock clock) {
    this.database = database;
    this.clock = clock;
    this.plans = plans;
    this.platformPlan = platformPlan;
    this.tokenStore = new ProxyTokenStore(database);
    this.customerStore = new CustomerStore(database);
    this.subscriptions = new SubscriptionStore(database);
    this.usage = new UsageStore(database);
    this.tokens =
        new TieredCache<>("token", redis, bus, TokenGrant.class, localTtl, this::loadGrant);
    this.customers =
        new TieredCache<>(
            "customer",
            redis,
            bus,
            CustomerLimits.class,
            localTtl,
            id -> loadLimits(UUID.fromString(id)));
  }

  /** The grant of a usable token; 401 for anything unknown, 403 for a suspended or revoked one. */
  public TokenGrant authenticate(String authorization) {
    String token = bearer(authorization);
    if (!ProxyTokens.looksLikeToken(token)) {
      throw unauthorized();
    }
    TokenGrant grant =
        tokens
            .get(HexFormat.of().formatHex(ProxyTokens.hash(token)))
            .orElseThrow(Authenticator::unauthorized);
    LogContext.customer(grant.customerId()); // the rest of the request's log lines are theirs
    return switch (grant.status()) {
      case ACTIVE -> grant;
      case SUSPENDED ->
          throw OpenAiError.of(
              Status.FORBIDDEN_403,
              "permission_error",
              "token_suspended",
              "This agent's access is suspended (billing); it resumes when the account is settled.");
      case REVOKED ->
          throw OpenAiError.of(
              Status.FORBIDDEN_403,
              "permission_error",
              "token_revoked",
              "This token has been revoked.");
    };
  }

  /**
   * The customer's limits now. When the period known has ended and the subscription goes on, the
   * next period is opened first (every replica opens the same one, by its start) and every replica
   * learns it: a renewal never leaves a paying customer without a period, however late Stripe's
   * events are.
   */
  public CustomerLimits limits(UUID customerId) {
    CustomerLimits limits = cachedLimits(customerId);
    if (limits.rollsOver(clock.instant())) {
      customerChanged(customerId);
      limits = cachedLimits(customerId);
    }
    return limits;
  }

  private CustomerLimits cachedLimits(UUID customerId) {
    return customers
        .get(customerId.toString())
        .orElseThrow(() -> new IllegalStateException("token of unknown customer " + customerId));
  }

  /** Every replica learns the token's new state within moments. */
  public void tokenChanged(ProxyToken token) {
    tokens.refresh(token.tokenHashHex());
  }

  /** Every replica reloads the customer's plan and period. */
  public void customerChanged(UUID customerId) {
    customers.refresh(customerId.toString());
  }

  private Optional<TokenGrant> loadGrant(String hashHex) {
    return tokenStore
        .findOwnedByHash(database.execute(), HexFormat.of().parseHex(hashHex))
        .map(
            o ->
                new TokenGrant(
                    o.token().id(), o.token().boxId(), o.customerId(), o.token().status()));
  }

  private Optional<CustomerLimits> loadLimits(UUID customerId) {
    Optional<Customer> found = customerStore.find(customerId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Customer customer = found.get();
    Optional<Subscription> subscription = subscriptions.findCurrentForCustomer(customerId);
    String planName = subscription.map(Subscription::plan).orElse(customer.plan());
    Optional<Plan> plan =
        customer.isPlatform()
            ? Optional.of(platformPlan)
            : planName == null ? Optional.empty() : plans.find(planName);
    boolean active =
        customer.status() != CustomerStatus.CANCELLED
            && customer.status() != CustomerStatus.SUSPENDED;
    // The platform's own accounts have no subscription: their periods go on while they are active.
    boolean renews =
        (customer.status() == CustomerStatus.ACTIVE || customer.status() == CustomerStatus.PAST_DUE)
            && plan.isPresent()
            && (customer.isPlatform()
                || subscription
                    .map(s -> s.status().entitlesService() && !s.cancelAtPeriodEnd())
                    .orElse(false));
    Instant now = clock.instant();
    Optional<UsageMonthly> period =
        renews
            ? usage.rollOver(database.execute(), customerId, now, plan.get().monthlyTokens())
            : usage.currentPeriod(database.execute(), customerId, now);
    return Optional.of(
        new CustomerLimits(
            customerId,
            active && plan.isPresent(),
            planName,
            plan.map(Plan::requestsPerSecond).orElse(1),
            plan.map(Plan::models).orElse(List.of()),
            period.map(UsageMonthly::periodStart).orElse(null),
            period.map(UsageMonthly::periodEnd).orElse(null),
            period.map(UsageMonthly::tokenAllowance).orElse(0L),
            renews));
  }

  private static String bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).strip();
  }

  private static OpenAiError unauthorized() {
    return OpenAiError.of(
        Status.UNAUTHORIZED_401,
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided.");
  }

  @Override
  public void close() {
    tokens.close();
    customers.close();
  }
}
