package cloud.openclaw.billing.events;

import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.billing.StripeSubscription;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads what billing needs from Stripe's JSON. Both the current shapes (a subscription's period on
 * its items, an invoice's subscription under {@code parent}) and the older ones are understood, so
 * an endpoint on an older API version works too.
 */
final class StripeObjects {
  private StripeObjects() {}

  static StripeSubscription subscription(JsonNode sub) {
    JsonNode item = sub.path("items").path("data").path(0);
    long start =
        item.hasNonNull("current_period_start")
            ? item.path("current_period_start").asLong()
            : sub.path("current_period_start").asLong();
    long end =
        item.hasNonNull("current_period_end")
            ? item.path("current_period_end").asLong()
            : sub.path("current_period_end").asLong();
    return new StripeSubscription(
        sub.path("id").asText(),
        text(sub, "customer"),
        sub.path("status").asText(),
        item.path("price").path("id").asText(null),
        Instant.ofEpochSecond(start),
        Instant.ofEpochSecond(end),
        sub.path("cancel_at_period_end").asBoolean(false),
        metadata(sub.path("metadata")));
  }

  /** The subscription an invoice is for, or null (a one-off invoice). */
  static String invoiceSubscription(JsonNode invoice) {
    String current = text(invoice.path("parent").path("subscription_details"), "subscription");
    return current != null ? current : text(invoice, "subscription");
  }

  static String ourCustomerId(Map<String, String> metadata) {
    return metadata.get(StripeBilling.CUSTOMER_ID);
  }

  /** A string field, or null when absent, null or an expanded object (then its id). */
  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (value.isObject()) {
      return value.hasNonNull("id") ? value.path("id").asText() : null;
    }
    return value.isTextual() ? value.asText() : null;
  }

  private static Map<String, String> metadata(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
