package cloud.openclaw.platform.billing;

import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;

/**
 * The doorbell between the webhook endpoint and the billing worker: stripe_events (PostgreSQL) is
 * the queue, and this Redis list only wakes the worker early. A lost ring costs at most one poll
 * interval; several rings in a row are one.
 */
public final class StripeEventSignal {
  private final Redis redis;
  private final String key;

  public StripeEventSignal(Redis redis) {
    this.redis = redis;
    this.key = redis.key("stripe", "events", "signal");
  }

  /** Tells a waiting worker that an event was stored. */
  public void ring() {
    redis.client().lpush(key, "1");
    redis.client().ltrim(key, 0, 0);
  }

  /** Waits up to {@code timeout} for a ring; true when one came. */
  public boolean await(Duration timeout) {
    double seconds = Math.max(0.01, timeout.toMillis() / 1000.0);
    return redis.client().brpop(seconds, key) != null;
  }
}
