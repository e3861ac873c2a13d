package cloud.openclaw.sandbox.stripe;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Invoices and their lines in the shapes of API version 2026-07-29.dahlia: an invoice names its
 * subscription under {@code parent.subscription_details}, a line says where it comes from under
 * {@code parent} ({@code subscription_item_details} with {@code proration}, or {@code
 * invoice_item_details}). Its own {@code period_start}/{@code period_end} are the period in which
 * pending items were gathered (for a renewal, the period just ended), while each line carries the
 * period it bills: that is why nothing should take an invoice's period for the subscription's.
 */
final class StripeInvoices {
  private StripeInvoices() {}

  /**
   * A draft invoice for the customer, with no lines yet; {@code subscription} null for one that
   * belongs to none.
   */
  static ObjectNode draft(
      String id,
      String customer,
      ObjectNode subscription,
      String billingReason,
      long created,
      long periodStart,
      long periodEnd) {
    ObjectNode invoice = Json.MAPPER.createObjectNode();
    invoice.put("id", id).put("object", "invoice").put("customer", customer);
    invoice.put("status", "draft").put("billing_reason", billingReason);
    invoice.put("collection_method", "charge_automatically").put("currency", "usd");
    invoice.put("created", created).put("livemode", false).putNull("number");
    invoice.put("auto_advance", true).putNull("automatically_finalizes_at");
    invoice.put("attempt_count", 0).put("attempted", false).putNull("next_payment_attempt");
    invoice.put("period_start", periodStart).put("period_end", periodEnd);
    invoice.put("subtotal", 0).put("total", 0);
    invoice.put("amount_due", 0).put("amount_paid", 0).put("amount_remaining", 0);
    invoice.putObject("metadata");
    invoice
        .putObject("status_transitions")
        .putNull("finalized_at")
        .putNull("marked_uncollectible_at")
        .putNull("paid_at")
        .putNull("voided_at");
    if (subscription == null) {
      invoice.putNull("parent");
    } else {
      ObjectNode parent = invoice.putObject("parent").put("type", "subscription_details");
      parent.putNull("quote_details");
      parent
          .putObject("subscription_details")
          .put("subscription", subscription.path("id").asText())
          .putNull("subscription_proration_date")
          .set("metadata", subscription.path("metadata").deepCopy());
    }
    ObjectNode lines = invoice.putObject("lines").put("object", "list").put("has_more", false);
    lines.put("url", "/v1/invoices/" + id + "/lines");
    lines.putArray("data");
    return invoice;
  }

  /**
   * A line billed from the subscription's item: its price over [{@code start}, {@code end}), a
   * proration or not.
   */
  static ObjectNode subscriptionLine(
      String id,
      ObjectNode invoice,
      ObjectNode subscription,
      ObjectNode item,
      String price,
      long amount,
      long start,
      long end,
      boolean proration,
      String description) {
    ObjectNode line = line(id, invoice, price, amount, start, end, description);
    ObjectNode parent = line.putObject("parent").put("type", "subscription_item_details");
    parent.putNull("invoice_item_details");
    ObjectNode details = parent.putObject("subscription_item_details");
    details.putNull("invoice_item").put("proration", proration);
    if (proration) {
      details.putObject("proration_details").putNull("credited_items");
    } else {
      details.putNull("proration_details");
    }
    details.put("subscription", subscription.path("id").asText());
    details.put("subscription_item", item.path("id").asText());
    return add(invoice, line);
  }

  /** A line from a one-off invoice item: its period is the moment it was added. */
  static ObjectNode invoiceItemLine(
      String id,
      ObjectNode invoice,
      String invoiceItem,
      String subscription,
      long amount,
      long at,
      String description) {
    ObjectNode line = line(id, invoice, null, amount, at, at, description);
    ObjectNode parent = line.putObject("parent").put("type", "invoice_item_details");
    parent.putNull("subscription_item_details");
    ObjectNode details = parent.putObject("invoice_item_details");
    details.put("invoice_item", invoiceItem).put("proration", false);
    details.putNull("proration_details").put("subscription", subscription);
    return add(invoice, line);
  }

  /** Finalized: open for payment, numbered. */
  static void finalized(ObjectNode invoice, long at, String number) {
    invoice.put("status", "open").put("number", number).putNull("automatically_finalizes_at");
    transitions(invoice).put("finalized_at", at);
  }

  /** Paid in full at {@code at}. */
  static void paid(ObjectNode invoice, long at) {
    invoice.put("status", "paid").put("amount_paid", invoice.path("amount_due").asLong());
    invoice.put("amount_remaining", 0).putNull("next_payment_attempt");
    transitions(invoice).put("paid_at", at);
  }

  /** One more payment attempt, failed; the next at {@code next} (seconds), or none (null). */
  static void failedAttempt(ObjectNode invoice, Long next) {
    if (next == null) {
      invoice.putNull("next_payment_attempt");
    } else {
      invoice.put("next_payment_attempt", next);
    }
  }

  static int countAttempt(ObjectNode invoice) {
    int attempts = invoice.path("attempt_count").asInt() + 1;
    invoice.put("attempt_count", attempts).put("attempted", true);
    return attempts;
  }

  /** The subscription the invoice is for, or null. */
  static String subscriptionOf(JsonNode invoice) {
    JsonNode sub = invoice.path("parent").path("subscription_details").path("subscription");
    return sub.isTextual() ? sub.asText() : null;
  }

  static String describe(String what, String price, long from) {
    return what + " " + price + " from " + Instant.ofEpochSecond(from);
  }

  private static ObjectNode line(
      String id,
      ObjectNode invoice,
      String price,
      long amount,
      long start,
      long end,
      String description) {
    ObjectNode line = Json.MAPPER.createObjectNode();
    line.put("id", id).put("object", "line_item").put("invoice", invoice.path("id").asText());
    line.put("amount", amount).put("subtotal", amount).put("currency", "usd");
    line.put("description", description).put("livemode", false).put("quantity", 1);
    line.put("discountable", amount > 0).putArray("discounts");
    line.putObject("metadata");
    line.putObject("period").put("start", start).put("end", end);
    if (price == null) {
      line.putNull("pricing");
    } else {
      ObjectNode pricing = line.putObject("pricing").put("type", "price_details");
      pricing.putObject("price_details").put("price", price).put("product", "prod_" + price);
      pricing.put("unit_amount_decimal", Long.toString(Math.abs(amount)));
    }
    return line;
  }

  private static ObjectNode add(ObjectNode invoice, ObjectNode line) {
    ArrayNode data = (ArrayNode) invoice.path("lines").path("data");
    data.add(line);
    long total = 0;
    for (JsonNode each : data) {
      total += each.path("amount").asLong();
    }
    long due = Math.max(0, total);
    invoice.put("subtotal", total).put("total", total);
    invoice.put("amount_due", due).put("amount_remaining", due);
    return line;
  }

  private static ObjectNode transitions(ObjectNode invoice) {
    return (ObjectNode) invoice.path("status_transitions");
  }
}
