package cloud.openclaw.proxy.limits;

import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.StreamEntryID;

/**
 * Announces that a customer crossed the warning share of their allowance or used it up (each once
 * per period, decided atomically in Redis): on a stream the billing worker's notifications read,
 * and live on the customer's channel for the dashboard. {@code percent} is the share crossed: the
 * warning's ({@code proxy.usage-warning-percent}) or 100.
 */
public final class UsageWarnings {
  private static final Logger LOG = Logger.getLogger(UsageWarnings.class.getName());

  private final Redis redis;
  private final EventBus bus;

  public UsageWarnings(Redis redis, EventBus bus) {
    this.redis = redis;
    this.bus = bus;
  }

  /** The stream of usage warnings, one entry per customer, period and share crossed. */
  public static String stream(Redis redis) {
    return redis.key("usage", "warnings");
  }

  public void crossed(UUID customerId, Instant periodStart, int percent) {
    Map<String, String> event =
        Map.of(
            "type", "usage.warning",
            "customerId", customerId.toString(),
            "periodStart", periodStart.toString(),
            "percent", Integer.toString(percent));
    try {
      redis.client().xadd(stream(redis), StreamEntryID.NEW_ENTRY, event);
      bus.publish(EventBus.customerChannel(customerId), Json.write(event));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "usage warning for " + customerId + " not announced", e);
    }
  }
}
