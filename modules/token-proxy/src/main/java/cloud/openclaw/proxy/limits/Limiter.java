package cloud.openclaw.proxy.limits;

import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageMonthly;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.UsageStore;
import cloud.openclaw.proxy.OpenAiError;
import cloud.openclaw.proxy.auth.CustomerLimits;
import cloud.openclaw.proxy.auth.TokenGrant;
import cloud.openclaw.proxy.metering.UsageBuffer;
import cloud.openclaw.proxy.metering.UsageEventJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The token proxy's limits, enforced in Redis so that they hold across replicas: a request rate per
 * token (GCRA) and a token allowance per customer and billing period. Each request is admitted in
 * one atomic step that holds an estimate of its tokens; it settles to what it really used when it
 * ends. A request is admitted while anything of the allowance is left, so usage can pass the
 * allowance by at most one request's tokens (docs/token-proxy.md).
 */
public final class Limiter {
  // How long a request may wait for in-flight requests to settle what is left of the allowance.
  private static final Duration HELD_WAIT = Duration.ofSeconds(10);
  private static final Duration HELD_POLL = Duration.ofMillis(20);
  private final Redis redis;
  private final UsageStore usage;
  private final String usageStream;
  private final int warningPercent;
  private final LuaScript admit;
  private final LuaScript settle;
  private final LuaScript load;
  private final LuaScript reshape;
  private final Clock clock;

  public Limiter(
      Redis redis, UsageStore usage, UsageBuffer buffer, int warningPercent, Clock clock) {
    this.redis = redis;
    this.usageStream = buffer.key();
    this.usage = usage;
    this.warningPercent = warningPercent;
    this.clock = clock;
    this.admit = new LuaScript(redis, "admit.lua");
    this.settle = new LuaScript(redis, "settle.lua");
    this.load = new LuaScript(redis, "load-quota.lua");
    this.reshape = new LuaScript(redis, "reshape-quota.lua");
  }

  /**
   * Admits a request of about {@code estimate} tokens, or throws the 429 that says why not. The
   * hold lapses after {@code holdFor} if the request is never settled (its proxy died).
   */
  public Admission admit(
      TokenGrant grant, CustomerLimits limits, String requestId, long estimate, Duration holdFor) {
    if (!limits.hasOpenPeriod(clock.instant())) {
      throw OpenAiError.quotaExhausted(
          "No billing period is open for this account; usage resumes when the subscription renews.");
    }
    String quotaKey = periodKey("quota", limits);
    String holdsKey = periodKey("holds", limits);
    // The customer's id in braces: all of a customer's keys land in one Redis Cluster slot.
    String rateKey = redis.key("rate", "{" + grant.customerId() + "}", grant.tokenId().toString());
    String member = requestId + ":" + estimate;
    double interval = 1000.0 / limits.requestsPerSecond();
    // A burst of one second's worth of requests, then the steady rate.
    double tolerance = interval * (limits.requestsPerSecond() - 1);
    List<String> args =
        List.of(
            Double.toString(interval),
            Double.toString(tolerance),
            member,
            Long.toString(estimate),
            Long.toString(holdFor.toMillis()));
    long deadline = System.nanoTime() + HELD_WAIT.toNanos();
    boolean loaded = false;
    while (true) {
      List<?> result = (List<?>) admit.run(List.of(rateKey, quotaKey, holdsKey), args);
      long code = (Long) result.get(0);
      long value = (Long) result.get(1);
      if (code == 1) {
        return new Admission(grant.customerId(), quotaKey, holdsKey, member, estimate);
      }
      if (code == 0) {
        throw OpenAiError.rateLimited(value);
      }
      if (code == -1) {
        throw OpenAiError.quotaExhausted(
            "This agent has used its monthly token allowance; it renews with the next billing period.");
      }
      if (code == -2 && !loaded) {
        loadQuota(quotaKey, limits);
        loaded = true;
      } else if (code == -3 && System.nanoTime() < deadline) {
        // What is left is held by requests in flight; they settle (usually lower) within moments.
        pause();
      } else if (code == -3) {
        throw OpenAiError.rateLimited(1000);
      } else {
        throw new IllegalStateException("quota for " + grant.customerId() + " would not load");
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(HELD_POLL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw OpenAiError.rateLimited(1000);
    }
  }

  /**
   * Counts what the request used, releases its hold and buffers its usage event, in one atomic
   * step; true when it made usage cross the warning line.
   */
  public boolean settle(Admission admission, UsageEvent event) {
    Object crossed =
        settle.run(
            List.of(admission.quotaKey(), admission.holdsKey(), usageStream),
            List.of(
                admission.holdMember(),
                Long.toString(admission.held()),
                Long.toString(Math.max(0, event.totalTokens())),
                Integer.toString(warningPercent),
                UsageBuffer.FIELD,
                UsageEventJson.write(event),
                Long.toString(UsageBuffer.MAX_LENGTH)));
    return Long.valueOf(1).equals(crossed);
  }

  private void loadQuota(String quotaKey, CustomerLimits limits) {
    // The period the limits name, by its start: the counters of one period are loaded from that
    // period's totals only, whatever the time is now.
    Optional<UsageMonthly> period = usage.period(limits.customerId(), limits.periodStart());
    long used = period.map(UsageMonthly::usedTokens).orElse(0L);
    long allowance = period.map(UsageMonthly::tokenAllowance).orElse(limits.allowance());
    boolean warned = used * 100 >= allowance * warningPercent;
    Instant end = period.map(UsageMonthly::periodEnd).orElse(limits.periodEnd());
    load.run(
        List.of(quotaKey),
        List.of(
            Long.toString(allowance),
            Long.toString(used),
            warned ? "1" : "0",
            Long.toString(expireAt(end))));
  }

  // Kept a day past the period's end so late settlements still land, then forgotten.
  private static long expireAt(Instant periodEnd) {
    return periodEnd.plus(Duration.ofDays(1)).toEpochMilli();
  }

  /** The customer's live counters for the current period, if Redis has them loaded. */
  public Optional<Counters> counters(CustomerLimits limits) {
    if (limits.periodStart() == null) {
      return Optional.empty();
    }
    List<String> values = redis.client().hmget(periodKey("quota", limits), "used", "reserved");
    if (values.get(0) == null) {
      return Optional.empty();
    }
    return Optional.of(new Counters(Long.parseLong(values.get(0)), Long.parseLong(values.get(1))));
  }

  /**
   * A period's allowance or end changed (a plan change, Stripe's renewal confirming a period): its
   * counters, if loaded, take them at once; what was used stays.
   */
  public void periodChanged(UsageMonthly period) {
    reshape.run(
        List.of(periodKey("quota", period.customerId(), period.periodStart())),
        List.of(
            Long.toString(period.tokenAllowance()), Long.toString(expireAt(period.periodEnd()))));
  }

  private String periodKey(String kind, CustomerLimits limits) {
    return periodKey(kind, limits.customerId(), limits.periodStart());
  }

  // A period's keys are named by its start: a period is reset once, when its keys are first made.
  private String periodKey(String kind, UUID customerId, Instant periodStart) {
    return redis.key(kind, "{" + customerId + "}", Long.toString(periodStart.toEpochMilli()));
  }

  /** Tokens counted as used in the period, and tokens held by requests in flight. */
  public record Counters(long used, long held) {}
}
