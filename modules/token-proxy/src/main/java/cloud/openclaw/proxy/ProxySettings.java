package cloud.openclaw.proxy;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The token proxy's own settings ({@code proxy.*}). */
public record ProxySettings(
    ServerSettings server,
    String serviceToken,
    URI upstreamBaseUrl,
    String upstreamApiKey,
    Duration connectTimeout,
    Duration upstreamTimeout,
    Map<String, String> models,
    int maxBodyBytes,
    int defaultMaxTokens,
    Duration authCacheTtl,
    int usageWarningPercent,
    Duration usageWriterLinger,
    Duration refusalFlushInterval,
    Plan platformPlan) {

  /** The plan name the platform's own accounts carry ({@code customers.plan}). */
  public static final String PLATFORM_PLAN = "platform";

  public static ProxySettings from(Settings settings) {
    String token = settings.string("proxy.internal.token");
    if (token.length() < 16) {
      throw new ConfigurationException("proxy.internal.token", "must be at least 16 characters");
    }
    String base = settings.optionalUri("proxy.upstream.base-url", "http", "https");
    if (base.isEmpty()) {
      throw new ConfigurationException("proxy.upstream.base-url", "missing");
    }
    Duration refusalFlush = settings.duration("proxy.refusal-flush-interval");
    if (refusalFlush.toMillis() < 1) {
      throw new ConfigurationException("proxy.refusal-flush-interval", "must be at least 1 ms");
    }
    int maxBodyBytes = settings.integer("proxy.max-body-bytes", 64 * 1024, 64 * 1024 * 1024);
    int port = settings.port("proxy.port");
    int internalPort = settings.port("proxy.internal.port");
    if (port != 0 && port == internalPort) {
      throw new ConfigurationException(
          "proxy.internal.port", "must differ from proxy.port (" + port + ")");
    }
    // The internal listener (proxy.internal.*) carries the internal API beside metrics and
    // detailed health; the body limit is the server's and the completions' alike.
    ServerSettings server =
        new ServerSettings(
            settings.string("proxy.host"),
            port,
            settings.string("proxy.internal.host"),
            internalPort,
            maxBodyBytes);
    return new ProxySettings(
        server,
        token,
        URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base),
        settings.string("proxy.upstream.api-key"),
        settings.duration("proxy.upstream.connect-timeout"),
        settings.duration("proxy.upstream.timeout"),
        models(settings),
        maxBodyBytes,
        settings.integer("proxy.default-max-tokens", 1, 1_000_000),
        settings.duration("proxy.auth-cache-ttl"),
        settings.integer("proxy.usage-warning-percent", 1, 100),
        settings.duration("proxy.usage-writer-linger"),
        refusalFlush,
        platformPlan(settings));
  }

  /**
   * The plan of the platform's own accounts ({@code proxy.platform-plan.*}): not on sale (no Stripe
   * price), its models among {@code proxy.models}.
   */
  private static Plan platformPlan(Settings settings) {
    List<String> models = settings.list("proxy.platform-plan.models");
    if (models.isEmpty()) {
      throw new ConfigurationException("proxy.platform-plan.models", "at least one model");
    }
    Map<String, String> known = models(settings);
    for (String model : models) {
      if (!known.containsKey(model)) {
        throw new ConfigurationException(
            "proxy.platform-plan.models", "'" + model + "' is not in proxy.models");
      }
    }
    return new Plan(
        PLATFORM_PLAN,
        "",
        settings.longInteger("proxy.platform-plan.monthly-tokens", 1),
        settings.integer("proxy.platform-plan.requests-per-second", 1, 10_000),
        models,
        List.of("off"));
  }

  private static Map<String, String> models(Settings settings) {
    Map<String, String> models = new LinkedHashMap<>();
    for (String entry : settings.list("proxy.models")) {
      String[] parts = entry.split("=", 2);
      if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
        throw new ConfigurationException(
            "proxy.models", "'" + entry + "' is not <id>=<upstream model>");
      }
      models.put(parts[0].strip(), parts[1].strip());
    }
    if (models.isEmpty()) {
      throw new ConfigurationException("proxy.models", "no model is configured");
    }
    return Map.copyOf(models);
  }
}
