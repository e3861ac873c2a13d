package cloud.openclaw.operator.gateway;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * openclaw.json for one box, as a pure function of {@link GatewayInputs}.
 *
 * <p>The keys follow the config that was run against openclaw 2026.9.6 (shared/OPENCLAW.md). The
 * gateway validates strictly: one unknown key and it refuses to start, so every key written here is
 * checked by GatewayConfigSchemaTest against the schema that {@code openclaw config schema} prints
 * for that version. What the config does:
 *
 * <ul>
 *   <li>gateway: local mode, token auth (it refuses to bind without auth), loopback or lan;
 *   <li>offline-safe: no update check or auto-update, no telemetry, no mDNS, no browser, no model
 *       catalog refresh (else it calls out to openclaw.ai hosts);
 *   <li>one provider, the token proxy, with the box's proxy token as API key, replacing the
 *       built-in catalog, and the model declared to stream usage;
 *   <li>Telegram with the bot token read from a file, DMs only from the allowlisted user ids.
 *       groupPolicy is written as "allowlist", the gateway's own default: the schema lists it as
 *       required, and writing the default keeps the behaviour of the config that was run.
 * </ul>
 */
public final class GatewayConfig {
  /** The provider name the platform's boxes use for the token proxy. */
  public static final String DEFAULT_PROVIDER_ID = "openclaw-cloud";

  private GatewayConfig() {}

  /** The whole openclaw.json; a new tree on every call. */
  public static ObjectNode render(GatewayInputs in) {
    ObjectNode root = Json.MAPPER.createObjectNode();

    ObjectNode gateway = root.putObject("gateway");
    gateway.put("mode", "local");
    gateway.put("port", in.port());
    gateway.put("bind", in.bind().value());
    ObjectNode auth = gateway.putObject("auth");
    auth.put("mode", "token");
    auth.put("token", in.gatewayToken());

    ObjectNode update = root.putObject("update");
    update.put("checkOnStart", false);
    update.putObject("auto").put("enabled", false);
    root.putObject("telemetry").put("enabled", false);
    root.putObject("discovery").putObject("mdns").put("mode", "off");
    root.putObject("browser").put("enabled", false);
    root.putObject("logging").put("file", in.logFile());

    ObjectNode models = root.putObject("models");
    models.put("mode", "replace");
    models.putObject("catalogRefresh").put("enabled", false);
    ObjectNode provider = models.putObject("providers").putObject(in.providerId());
    provider.put("baseUrl", in.tokenProxyBaseUrl());
    provider.put("apiKey", in.proxyToken());
    provider.put("api", "openai-completions");
    ObjectNode model = provider.putArray("models").addObject();
    GatewayModel m = in.model();
    model.put("id", m.id());
    model.put("name", m.name());
    model.put("reasoning", m.reasoning());
    model.putArray("input").add("text");
    // The token proxy bills the customer; the gateway's own cost accounting stays at zero.
    ObjectNode cost = model.putObject("cost");
    cost.put("input", 0);
    cost.put("output", 0);
    cost.put("cacheRead", 0);
    cost.put("cacheWrite", 0);
    model.put("contextWindow", m.contextWindow());
    model.put("maxTokens", m.maxTokens());
    model.putObject("compat").put("supportsUsageInStreaming", true);

    ObjectNode defaults = root.putObject("agents").putObject("defaults");
    defaults.putObject("model").put("primary", in.providerId() + "/" + m.id());
    defaults.put("thinkingDefault", in.thinkingLevel().dbValue());
    defaults.putObject("heartbeat").put("every", "0m");
    defaults.put("workspace", in.workspaceDir());

    ObjectNode telegram = root.putObject("channels").putObject("telegram");
    telegram.put("enabled", true);
    telegram.put("tokenFile", in.botTokenFile());
    in.telegramApiRoot().ifPresent(apiRoot -> telegram.put("apiRoot", apiRoot));
    telegram.put("dmPolicy", "allowlist");
    ArrayNode allowFrom = telegram.putArray("allowFrom");
    in.allowedTelegramUserIds().forEach(id -> allowFrom.add(Long.toString(id)));
    telegram.put("groupPolicy", "allowlist");
    return root;
  }

  /** {@link #render} as the bytes of the file, pretty-printed. */
  public static String renderJson(GatewayInputs in) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(render(in));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write openclaw.json", e);
    }
  }
}
