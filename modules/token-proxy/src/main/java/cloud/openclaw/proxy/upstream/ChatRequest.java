package cloud.openclaw.proxy.upstream;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.proxy.OpenAiError;
import com.fasterxml.jackson.core.JsonProcessingException;
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
   * @param allowedModels the models of the customer's plan
   * @param upstreamModels model id → upstream model id
   * @param defaultMaxTokens completion tokens assumed when the request names no limit
   */
  public static ChatRequest parse(
      byte[] body,
      List<String> allowedModels,
      Map<String, String> upstreamModels,
      int defaultMaxTokens) {
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw OpenAiError.invalidRequest(
          "The request body is not valid JSON: " + e.getOriginalMessage(), null);
    } catch (IOException e) {
      throw OpenAiError.invalidRequest("The request body could not be read.", null);
    }
    if (tree == null || !tree.isObject()) {
      throw OpenAiError.invalidRequest("The request body must be a JSON object.", null);
    }
    ObjectNode request = (ObjectNode) tree;
    JsonNode model = request.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw OpenAiError.invalidRequest("you must provide a model parameter", "model");
    }
    String modelId = model.asText();
    String upstreamModel = upstreamModels.get(modelId);
    if (upstreamModel == null || !allowedModels.contains(modelId)) {
      throw OpenAiError.of(
          Status.NOT_FOUND_404,
          "invalid_request_error",
          "model_not_found",
          "The model `" + modelId + "` does not exist or your plan does not include it.");
    }
    JsonNode messages = request.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw OpenAiError.invalidRequest("'messages' must be a non-empty array", "messages");
    }
    boolean stream = flag(request, "stream");
    long maxTokens = maxTokens(request, defaultMaxTokens);
    boolean rewrite = !upstreamModel.equals(modelId);
    if (rewrite) {
      request.put("model", upstreamModel);
    }
    if (stream && !request.path("stream_options").path("include_usage").asBoolean(false)) {
      JsonNode options = request.get("stream_options");
      ObjectNode streamOptions =
          options instanceof ObjectNode object ? object : request.putObject("stream_options");
      streamOptions.put("include_usage", true);
      rewrite = true;
    }
    byte[] upstreamBody = rewrite ? writeBytes(request) : body;
    // About 3 bytes of JSON per token errs high for prose and code: a generous hold, never a short
    // one.
    long promptEstimate = body.length / 3 + 1;
    return new ChatRequest(modelId, stream, promptEstimate, maxTokens, upstreamBody);
  }

  private static boolean flag(ObjectNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw OpenAiError.invalidRequest("'" + field + "' must be true or false", field);
    }
    return value.asBoolean();
  }

  private static long maxTokens(ObjectNode request, int defaultMaxTokens) {
    for (String field : List.of("max_completion_tokens", "max_tokens")) {
      JsonNode value = request.get(field);
      if (value != null && !value.isNull()) {
        if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 1) {
          throw OpenAiError.invalidRequest("'" + field + "' must be a positive integer", field);
        }
        return value.asLong();
      }
    }
    return defaultMaxTokens;
  }

  private static byte[] writeBytes(JsonNode node) {
    try {
      return Json.MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
