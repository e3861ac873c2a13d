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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated chat-completions request, and the body to send upstream: the model id mapped to the
 * upstream's, for streams {@code stream_options.include_usage} switched on so that usage is
 * reported, and a completion limit when the request names none (so that nothing it can use is left
 * out of its hold). When nothing needs changing (OpenClaw asks for usage and names its limit) the
 * bytes go as they came.
 *
 * <p>What the request may use is bounded by what it says: the prompt (estimated from its size, plus
 * {@value #IMAGE_TOKENS} tokens per image, which Kimi bills at a flat rate however few bytes its
 * URL takes) and {@code n} completions of at most its limit each. A request whose use the body
 * cannot bound is refused: completion limits that disagree ({@code max_tokens} and {@code
 * max_completion_tokens}; OpenAI refuses both at once), Kimi's built-in tools (the results of
 * {@code $web_search} are billed as prompt tokens the request never carried), a field given twice.
 */
public record ChatRequest(
    String model,
    boolean stream,
    long promptEstimate,
    long maxTokens,
    int choices,
    byte[] upstreamBody) {

  /** Tokens Kimi bills per image, whatever its size. */
  static final long IMAGE_TOKENS = 1024;

  /** The most {@code n} may be (OpenAI's bound; Kimi's is lower and it refuses more itself). */
  static final int MAX_CHOICES = 128;

  /** No hold is larger (2^50 tokens): Redis counts in 64-bit integers, Lua in doubles. */
  static final long MAX_HOLD = 1L << 50;

  /**
   * What to hold against the allowance: the prompt as estimated and every completion it asked for
   * in full.
   */
  public long estimatedTokens() {
    if (maxTokens >= MAX_HOLD / choices) {
      return MAX_HOLD;
    }
    return Math.min(MAX_HOLD, promptEstimate + maxTokens * choices);
  }

  /**
   * Reads the request in one pass without building it in memory (OpenClaw's are ~60 KB, nearly all
   * of it messages and tools the proxy only walks through), and edits the few bytes that change.
   *
   * @param allowedModels the models of the customer's plan
   * @param upstreamModels model id → upstream model id
   * @param defaultMaxTokens the completion limit of a request that names none (sent upstream)
   */
  public static ChatRequest parse(
      byte[] body,
      List<String> allowedModels,
      Map<String, String> upstreamModels,
      int defaultMaxTokens) {
    TopLevel request;
    try (JsonParser parser = Json.MAPPER.createParser(body)) {
      request = TopLevel.read(parser);
      // The body goes upstream as it is: a second value after ours could be what another parser
      // reads.
      if (parser.nextToken() != null) {
        throw OpenAiError.invalidRequest(
            "The request body has content after its JSON object.", null);
      }
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
    if (request.maxTokens != null
        && request.maxCompletionTokens != null
        && !request.maxTokens.equals(request.maxCompletionTokens)) {
      throw OpenAiError.invalidRequest(
          "'max_tokens' ("
              + request.maxTokens
              + ") and 'max_completion_tokens' ("
              + request.maxCompletionTokens
              + ") disagree: send one of them (max_completion_tokens).",
          "max_tokens");
    }
    BodyEdits edits = new BodyEdits(body);
    if (!upstreamModel.equals(request.model)) {
      edits.replace(request.modelSpan, Json.write(upstreamModel));
    }
    if (request.stream) {
      askForUsage(request, edits);
    }
    Long named =
        request.maxCompletionTokens != null ? request.maxCompletionTokens : request.maxTokens;
    long maxTokens = named != null ? named : defaultMaxTokens;
    if (named == null) {
      // Without a limit the upstream would pick its own: the request is held for ours, so it gets
      // ours.
      if (request.maxCompletionTokensSpan != null) {
        edits.replace(request.maxCompletionTokensSpan, Long.toString(maxTokens));
      } else {
        edits.insert(request.firstFieldAt, "\"max_completion_tokens\":" + maxTokens + ",");
      }
    }
    // About 3 bytes of JSON per token errs high for prose and code: a generous hold, never a short
    // one.
    long promptEstimate = body.length / 3 + 1 + request.images * IMAGE_TOKENS;
    return new ChatRequest(
        request.model, request.stream, promptEstimate, maxTokens, request.choices, edits.apply());
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
    private static final Set<String> ACTED_ON =
        Set.of(
            "model",
            "messages",
            "stream",
            "stream_options",
            "max_completion_tokens",
            "max_tokens",
            "n",
            "tools");

    String model;
    long[] modelSpan;
    boolean hasMessages;
    long images;
    boolean stream;
    JsonNode streamOptions;
    long[] streamOptionsSpan;
    Long maxCompletionTokens;
    long[] maxCompletionTokensSpan;
    Long maxTokens;
    int choices = 1;
    long firstFieldAt;
    private final Set<String> seen = new HashSet<>();

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
        // Parsers differ on which of two equal keys counts: the upstream must read what we read.
        if (ACTED_ON.contains(field) && !request.seen.add(field)) {
          throw OpenAiError.invalidRequest("'" + field + "' is given more than once", field);
        }
        switch (field) {
          case "model" -> {
            if (value != JsonToken.VALUE_STRING) {
              throw OpenAiError.invalidRequest("you must provide a model parameter", "model");
            }
            request.model = parser.getText();
            request.modelSpan = new long[] {start, parser.currentLocation().getByteOffset()};
          }
          case "messages" -> request.readMessages(parser, field);
          case "stream" -> request.stream = flag(parser, value, field);
          case "stream_options" -> {
            request.streamOptions = value == JsonToken.VALUE_NULL ? null : parser.readValueAsTree();
            if (request.streamOptions != null && !request.streamOptions.isObject()) {
              throw OpenAiError.invalidRequest("'stream_options' must be an object", field);
            }
            request.streamOptionsSpan =
                new long[] {start, parser.currentLocation().getByteOffset()};
          }
          case "max_completion_tokens" -> {
            request.maxCompletionTokens = count(parser, value, field);
            request.maxCompletionTokensSpan =
                new long[] {start, parser.currentLocation().getByteOffset()};
          }
          case "max_tokens" -> request.maxTokens = count(parser, value, field);
          case "n" -> request.choices = choices(parser, value);
          case "tools" -> refuseBuiltInTools(parser, value);
          default -> parser.skipChildren();
        }
      }
      return request;
    }

    /** Walks the messages: there must be one, and each image in a content array is counted. */
    private void readMessages(JsonParser parser, String field) throws IOException {
      if (parser.currentToken() != JsonToken.START_ARRAY) {
        throw OpenAiError.invalidRequest("'" + field + "' must be a non-empty array", field);
      }
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        hasMessages = true;
        if (parser.currentToken() != JsonToken.START_OBJECT) {
          parser.skipChildren();
          continue;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          boolean content = parser.currentName().equals("content");
          if (parser.nextToken() == JsonToken.START_ARRAY && content) {
            images += countParts(parser, "image_url");
          } else {
            parser.skipChildren();
          }
        }
      }
    }

    /** The objects of the array at hand whose {@code type} is {@code type}. */
    private static long countParts(JsonParser parser, String type) throws IOException {
      long count = 0;
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
          parser.skipChildren();
          continue;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          boolean typeField = parser.currentName().equals("type");
          if (parser.nextToken() == JsonToken.VALUE_STRING && typeField) {
            if (parser.getText().equals(type)) {
              count++;
            }
          } else {
            parser.skipChildren();
          }
        }
      }
      return count;
    }

    private static void refuseBuiltInTools(JsonParser parser, JsonToken value) throws IOException {
      if (value != JsonToken.START_ARRAY) {
        parser.skipChildren();
        return;
      }
      if (countParts(parser, "builtin_function") > 0) {
        throw OpenAiError.invalidRequest(
            "Kimi's built-in tools (type 'builtin_function', such as $web_search) are not"
                + " available here: what they fetch is billed as prompt tokens the request does"
                + " not carry. Declare a function tool and run it yourself.",
            "tools");
      }
    }

    private static int choices(JsonParser parser, JsonToken value) throws IOException {
      Long n = count(parser, value, "n");
      if (n == null) {
        return 1;
      }
      if (n > MAX_CHOICES) {
        throw OpenAiError.invalidRequest("'n' must be at most " + MAX_CHOICES, "n");
      }
      return n.intValue();
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
