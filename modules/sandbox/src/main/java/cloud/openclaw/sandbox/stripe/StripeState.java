package cloud.openclaw.sandbox.stripe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The Stripe stand-in's whole state as plain data: what {@link StripeStateFile} keeps between runs.
 *
 * @param objects the stand-in's objects by kind ({@code customers}, {@code subscriptions}, ...),
 *     each by id in the order they were made
 * @param events every event made, oldest first
 * @param deliveries how often the endpoint took each event, and when first (events not listed were
 *     never taken, and are delivered again after a restart, as Stripe retries)
 * @param clockOffset how far the stand-in's clock was moved ahead, in seconds
 */
public record StripeState(
    Map<String, Map<String, ObjectNode>> objects,
    List<StripeEventRecord> events,
    Map<String, Delivered> deliveries,
    long clockOffset) {

  /** How often the endpoint took an event (2xx), and when it first did. */
  public record Delivered(int count, Instant first) {}
}
