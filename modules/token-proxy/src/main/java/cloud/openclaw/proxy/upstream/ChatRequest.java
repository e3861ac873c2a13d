package cloud.openclaw.proxy.upstream;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.proxy.OpenAiError;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A validated chat-completions request, and the body to send upstream: the model id mapped to the
 * upstream's, and for streams {@code stream_options.include_usage} switched on so that usage is
 * reported. When nothing needs changing (OpenClaw already asks for usage) the bytes go as they
 * came.
 */
public record ChatRequest(
    String model, boolean stream, long promptEstimate, long maxTokens, byte[] upstreamBody) {

  /** What to hold against the allowance: the prompt as estimated and the whole completion. */
  public long estimatedTokens() {
    return promptEstimate + maxTokens;
  }

  /**
   * Reads the request in one pass without building it in memory (OpenClaw's are ~60 KB, nearly all
   * of it messages and tools the proxy only skips over), and edits the few bytes that change.
   *
   * @param allowedModels the models of the customer's plan
   * @param upstreamModels model id → upstream model id
   * @param defaultMaxTokens completion tokens assumed when the request names no limit
   */
  public static ChatRequest parse(
      byte[] body,
      List<String> allowedModels,
      Map<String, String> upstreamModels,
      int defaultMaxTokens) {
    TopLevel request;
    try (JsonParser parser = Json.MAPPER.createParser(body)) {
      request = TopLevel.read(parser);
    } catch (JsonProcessingException e) {
      throw OpenAiError.invalidRequest(
          "The request body is not valid JSON: " + e.getOriginalMessage(), null);
    } catch (IOException e) {
      throw OpenAiError.invalidRequest("The request body could not be read.", null);
    }
    if (request.model == null || request.model.isBlank()) {
      throw OpenAiError.invalidRequest("you must provide a model parameter", "model");
    }
    String upstreamModel = upstreamModels.get(request.model);
    if (upstreamModel == null || !allowedModels.contains(request.model)) {
      throw OpenAiError.of(
          Status.NOT_FOUND_404,
          "invalid_request_error",
          "model_not_found",
          "The model `" + request.model + "` does not exist or your plan does not include it.");
    }
    if (!request.hasMessages) {
      throw OpenAiError.invalidRequest("'messages' must be a non-empty array", "messages");
    }
    BodyEdits edits = new BodyEdits(body);
    if (!upstreamModel.equals(request.model)) {
      edits.replace(request.modelSpan, Json.write(upstreamModel));
    }
    if (request.stream) {
      askForUsage(request, edits);
    }
    long maxTokens =
        request.maxCompletionTokens != null
            ? request.maxCompletionTokens
            : request.maxTokens != null ? request.maxTokens : defaultMaxTokens;
    // About 3 bytes of JSON per token errs high for prose and code: a generous hold, never a short
    // one.
    long promptEstimate = body.length / 3 + 1;
    return new ChatRequest(request.model, request.stream, promptEstimate, maxTokens, edits.apply());
  }

  private static void askForUsage(TopLevel request, BodyEdits edits) {
    if (request.streamOptionsSpan == null) {
      edits.insert(request.firstFieldAt, "\"stream_options\":{\"include_usage\":true},");
    } else if (request.streamOptions == null) {
      edits.replace(request.streamOptionsSpan, "{\"include_usage\":true}");
    } else if (!request.streamOptions.path("include_usage").asBoolean(false)) {
      ObjectNode options =
          request.streamOptions instanceof ObjectNode object
              ? object
              : Json.MAPPER.createObjectNode();
      options.put("include_usage", true);
      edits.replace(request.streamOptionsSpan, Json.write(options));
    }
  }

  /** The top-level fields the proxy acts on, and where in the body the editable ones are. */
  private static final class TopLevel {
    String model;
    long[] modelSpan;
    boolean hasMessages;
    boolean stream;
    JsonNode streamOptions;
    long[] streamOptionsSpan;
    Long maxCompletionTokens;
    Long maxTokens;
    long firstFieldAt;

    static TopLevel read(JsonParser parser) throws IOException {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw OpenAiError.invalidRequest("The request body must be a JSON object.", null);
      }
      TopLevel request = new TopLevel();
      request.firstFieldAt = parser.currentLocation().getByteOffset();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        long start = parser.currentTokenLocation().getByteOffset();
        switch (field) {
          case "model" -> {
            if (value != JsonToken.VALUE_STRING) {
              throw OpenAiError.invalidRequest("you must provide a model parameter", "model");
            }
            request.model = parser.getText();
            request.modelSpan = new long[] {start, parser.currentLocation().getByteOffset()};
          }
          case "messages" -> request.hasMessages = skipArray(parser, field);
          case "stream" -> request.stream = flag(parser, value, field);
          case "stream_options" -> {
            request.streamOptions = value == JsonToken.VALUE_NULL ? null : parser.readValueAsTree();
            if (request.streamOptions != null && !request.streamOptions.isObject()) {
              throw OpenAiError.invalidRequest("'stream_options' must be an object", field);
            }
            request.streamOptionsSpan =
                new long[] {start, parser.currentLocation().getByteOffset()};
          }
          case "max_completion_tokens" -> request.maxCompletionTokens = count(parser, value, field);
          case "max_tokens" -> request.maxTokens = count(parser, value, field);
          default -> parser.skipChildren();
        }
      }
      return request;
    }

    /** Skips an array; true when it held anything. */
    private static boolean skipArray(JsonParser parser, String field) throws IOException {
      if (parser.currentToken() != JsonToken.START_ARRAY) {
        throw OpenAiError.invalidRequest("'" + field + "' must be a non-empty array", field);
      }
      boolean any = false;
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        any = true;
        parser.skipChildren();
      }
      return any;
    }

    private static boolean flag(JsonParser parser, JsonToken value, String field)
        throws IOException {
      return switch (value) {
        case VALUE_NULL -> false;
        case VALUE_TRUE, VALUE_FALSE -> parser.getBooleanValue();
        default -> throw OpenAiError.invalidRequest("'" + field + "' must be true or false", field);
      };
    }

    private static Long count(JsonParser parser, JsonToken value, String field) throws IOException {
      if (value == JsonToken.VALUE_NULL) {
        return null;
      }
      if (value != JsonToken.VALUE_NUMBER_INT
          || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          || parser.getLongValue() < 1) {
        throw OpenAiError.invalidRequest("'" + field + "' must be a positive integer", field);
      }
      return parser.getLongValue();
    }
  }
}
