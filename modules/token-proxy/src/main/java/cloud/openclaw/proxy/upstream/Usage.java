package cloud.openclaw.proxy.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Tokens one completion used, as the upstream reported them (cached tokens are part of the prompt,
 * reasoning tokens part of the completion), or as the proxy estimated them.
 */
public record Usage(long prompt, long completion, long cached, long reasoning, boolean estimated) {
  /** Nothing used: a refused or failed request. */
  public static final Usage NONE = new Usage(0, 0, 0, 0, false);

  public long total() {
    return prompt + completion;
  }

  /**
   * The usage in an OpenAI-style response or chunk: top-level {@code usage}, or inside {@code
   * choices[].usage} as Kimi sometimes sends it. Cached tokens may be top-level in the usage object
   * or in {@code prompt_tokens_details}.
   */
  public static Optional<Usage> in(JsonNode response) {
    JsonNode usage = response.path("usage");
    if (!usage.isObject()) {
      usage = null;
      for (JsonNode choice : response.path("choices")) {
        if (choice.path("usage").isObject()) {
          usage = choice.path("usage");
        }
      }
    }
    if (usage == null) {
      return Optional.empty();
    }
    long cached =
        usage.has("cached_tokens")
            ? usage.path("cached_tokens").asLong()
            : usage.path("prompt_tokens_details").path("cached_tokens").asLong();
    return Optional.of(
        new Usage(
            usage.path("prompt_tokens").asLong(),
            usage.path("completion_tokens").asLong(),
            cached,
            usage.path("completion_tokens_details").path("reasoning_tokens").asLong(),
            false));
  }
}
