package cloud.openclaw.operator.gateway;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the gateway must know about a model to budget its context and replies: the entry of {@code
 * models.providers.<id>.models[]} in openclaw.json.
 *
 * @param id the model id the token proxy forwards upstream (e.g. kimi-k3)
 * @param name a display name
 * @param contextWindow tokens the model accepts, prompt and reply together
 * @param maxTokens the most tokens the gateway asks for in one reply (it sends this as
 *     max_completion_tokens)
 * @param reasoning whether the model thinks before it answers (reasoning_effort)
 */
public record GatewayModel(
    String id, String name, int contextWindow, int maxTokens, boolean reasoning) {

  public GatewayModel {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    if (id.isBlank() || name.isBlank()) {
      throw new IllegalArgumentException("a model needs an id and a name");
    }
    if (contextWindow <= 0 || maxTokens <= 0 || maxTokens > contextWindow) {
      throw new IllegalArgumentException("model " + id + ": need 0 < maxTokens <= contextWindow");
    }
  }

  /**
   * The four Kimi models the platform offers. Only kimi-k3's figures are documented here (1M
   * context, reasoning); the others are our own sensible choices, not published numbers: the K2
   * family's 256K context (262,144 tokens), no separate reasoning phase, and reply budgets well
   * under the context so a long conversation still fits. OpenClaw caps each reply at maxTokens;
   * larger values cost nothing unless the model uses them.
   */
  public static final List<GatewayModel> KIMI =
      List.of(
          new GatewayModel("kimi-k3", "Kimi K3", 1_048_576, 32_768, true),
          new GatewayModel("kimi-k2.7-code", "Kimi K2.7 Code", 262_144, 16_384, false),
          new GatewayModel(
              "kimi-k2.7-code-highspeed", "Kimi K2.7 Code Highspeed", 262_144, 16_384, false),
          new GatewayModel("kimi-k2.6", "Kimi K2.6", 262_144, 16_384, false));

  private static final Map<String, GatewayModel> BY_ID =
      KIMI.stream().collect(Collectors.toUnmodifiableMap(GatewayModel::id, Function.identity()));

  /** The Kimi model with this id; an id outside the table is a bug in the caller. */
  public static GatewayModel kimi(String id) {
    GatewayModel model = BY_ID.get(id);
    if (model == null) {
      throw new IllegalArgumentException(
          "'" + id + "' is not a model the platform offers " + BY_ID.keySet());
    }
    return model;
  }

  /** True when {@link #kimi(String)} knows the id. */
  public static boolean isKimi(String id) {
    return BY_ID.containsKey(id);
  }
}
