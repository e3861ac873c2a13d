package cloud.openclaw.proxy.metering;

import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;

/**
 * A usage event as the JSON of a buffer entry, written and read by hand: it happens once per
 * proxied request on each side, and the generic record mapping cost more than the rest of the
 * metering. The shape is the record's own (camelCase names, ISO times, the outcome's constant
 * name), so entries written by either way read back the same. Unknown fields are skipped: a newer
 * proxy may add some before every writer runs the new code.
 */
public final class UsageEventJson {
  private UsageEventJson() {}

  public static String write(UsageEvent e) {
    StringBuilder json = new StringBuilder(400);
    json.append("{\"requestId\":");
    string(json, e.requestId());
    json.append(",\"customerId\":\"").append(e.customerId());
    json.append("\",\"boxId\":");
    json.append(e.boxId() == null ? "null" : "\"" + e.boxId() + "\"");
    json.append(",\"model\":");
    string(json, e.model());
    json.append(",\"promptTokens\":").append(e.promptTokens());
    json.append(",\"completionTokens\":").append(e.completionTokens());
    json.append(",\"cachedTokens\":").append(e.cachedTokens());
    json.append(",\"reasoningTokens\":").append(e.reasoningTokens());
    json.append(",\"outcome\":\"").append(e.outcome().name());
    json.append("\",\"estimated\":").append(e.estimated());
    json.append(",\"upstreamLatencyMs\":").append(e.upstreamLatencyMs());
    json.append(",\"proxyOverheadUs\":").append(e.proxyOverheadUs());
    json.append(",\"occurredAt\":\"").append(e.occurredAt());
    json.append("\",\"recordedAt\":");
    if (e.recordedAt() == null) {
      json.append("null");
    } else {
      json.append('"').append(e.recordedAt()).append('"');
    }
    return json.append('}').toString();
  }

  /**
   * The event in {@code json}.
   *
   * @throws IOException when it is not JSON
   * @throws RuntimeException (NullPointerException, IllegalArgumentException, DateTimeException)
   *     when it is JSON but not an event
   */
  public static UsageEvent read(String json) throws IOException {
    Fields f = new Fields();
    try (JsonParser parser = Json.MAPPER.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (name) {
          case "requestId" -> f.requestId = parser.getText();
          case "customerId" -> f.customerId = UUID.fromString(parser.getText());
          case "boxId" -> f.boxId = UUID.fromString(parser.getText());
          case "model" -> f.model = parser.getText();
          case "promptTokens" -> f.prompt = parser.getLongValue();
          case "completionTokens" -> f.completion = parser.getLongValue();
          case "cachedTokens" -> f.cached = parser.getLongValue();
          case "reasoningTokens" -> f.reasoning = parser.getLongValue();
          case "outcome" -> f.outcome = UsageOutcome.valueOf(parser.getText());
          case "estimated" -> f.estimated = parser.getBooleanValue();
          case "upstreamLatencyMs" -> f.upstreamLatencyMs = parser.getIntValue();
          case "proxyOverheadUs" -> f.proxyOverheadUs = parser.getIntValue();
          case "occurredAt" -> f.occurredAt = Instant.parse(parser.getText());
          case "recordedAt" -> f.recordedAt = Instant.parse(parser.getText());
          default -> parser.skipChildren();
        }
      }
    }
    return new UsageEvent(
        f.requestId,
        f.customerId,
        f.boxId,
        f.model,
        f.prompt,
        f.completion,
        f.cached,
        f.reasoning,
        f.outcome,
        f.estimated,
        f.upstreamLatencyMs,
        f.proxyOverheadUs,
        f.occurredAt,
        f.recordedAt);
  }

  private static void string(StringBuilder json, String value) {
    json.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, json);
    json.append('"');
  }

  private static final class Fields {
    String requestId;
    UUID customerId;
    UUID boxId;
    String model;
    long prompt;
    long completion;
    long cached;
    long reasoning;
    UsageOutcome outcome;
    boolean estimated;
    Integer upstreamLatencyMs;
    Integer proxyOverheadUs;
    Instant occurredAt;
    Instant recordedAt;
  }
}
