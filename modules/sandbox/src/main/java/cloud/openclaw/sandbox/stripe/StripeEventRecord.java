package cloud.openclaw.sandbox.stripe;

/**
 * An event the stand-in made: its id, type, created time (seconds), the JSON delivered, and the
 * order it was made in.
 */
public record StripeEventRecord(String id, String type, long created, String json, long sequence) {}
