package cloud.openclaw.api;

import cloud.openclaw.api.auth.SigningKeys;
import cloud.openclaw.api.onboarding.OnboardingSettings;
import cloud.openclaw.api.web.WebSettings;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.domain.BoxRuntime;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The api's own keys ({@code api.*}): where it is reached, sessions, sign-in and its limits, how
 * often a customer may change their agent, where new agents run, the web chat relay, and the
 * onboarding setup bot's token (empty: none), which manages the bots people create with it, and the
 * web app's files, and the price shown for each plan (display text; plans without one are not in
 * {@code planPrices}).
 */
public record ApiSettings(
    URI publicUrl,
    String internalToken,
    SigningKeys signingKeys,
    String issuer,
    Duration accessTtl,
    Duration refreshTtl,
    Duration linkTtl,
    Set<String> admins,
    int loginsPerEmail,
    int loginsPerIp,
    int loginRequestersPerEmail,
    Duration loginWindow,
    int boxChangesPerCustomer,
    Duration boxChangeWindow,
    String clientIpHeader,
    BoxRuntime signupRuntime,
    OnboardingSettings onboarding,
    String setupBotToken,
    WebSettings web,
    Map<String, String> planPrices) {

  public static ApiSettings from(Settings settings) {
    boolean devMode = settings.bool("api.dev-mode");
    String internalToken = settings.optionalString("api.internal-token");
    if (!internalToken.isEmpty() && internalToken.length() < 16) {
      throw new ConfigurationException("api.internal-token", "must be 16 characters or more");
    }
    return new ApiSettings(
        publicUrl(settings),
        internalToken,
        SigningKeys.from(settings, devMode),
        settings.string("api.auth.issuer"),
        settings.duration("api.auth.access-ttl"),
        settings.duration("api.auth.refresh-ttl"),
        settings.duration("api.auth.link-ttl"),
        settings.list("api.auth.admins").stream()
            .map(email -> email.strip().toLowerCase(Locale.ROOT))
            .filter(email -> !email.isEmpty())
            .collect(Collectors.toUnmodifiableSet()),
        settings.integer("api.auth.login-limit.per-email", 1, 10_000),
        settings.integer("api.auth.login-limit.per-ip", 1, 1_000_000),
        settings.integer("api.auth.login-limit.requesters-per-email", 1, 1_000_000),
        settings.duration("api.auth.login-limit.window"),
        settings.integer("api.box-change-limit.per-customer", 1, 10_000),
        settings.duration("api.box-change-limit.window"),
        settings.optionalString("api.auth.client-ip-header"),
        signupRuntime(settings),
        OnboardingSettings.from(settings),
        settings.optionalString("api.onboarding.setup-bot-token"),
        WebSettings.from(settings),
        planPrices(settings));
  }

  /** The display prices set ({@code api.plan-prices.<plan>}): empty ones are left out. */
  private static Map<String, String> planPrices(Settings settings) {
    Map<String, String> prices = new TreeMap<>();
    settings
        .node("api.plan-prices")
        .asNodeList()
        .orElse(List.of())
        .forEach(
            plan -> {
              String price = settings.optionalString("api.plan-prices." + plan.name());
              if (!price.isEmpty()) {
                prices.put(plan.name(), price);
              }
            });
    return Collections.unmodifiableMap(prices);
  }

  private static BoxRuntime signupRuntime(Settings settings) {
    String name = settings.string("api.signup.runtime");
    try {
      return BoxRuntime.fromDb(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("api.signup.runtime", "must be kubernetes or local");
    }
  }

  private static URI publicUrl(Settings settings) {
    String raw = settings.optionalUri("api.public-url", "http", "https");
    if (raw.isEmpty()) {
      throw new ConfigurationException("api.public-url", "missing (the URL customers open)");
    }
    return URI.create(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
  }

  public boolean isAdmin(String email) {
    return admins.contains(email.toLowerCase(Locale.ROOT));
  }

  /** The public URL's origin (scheme, host and port), as browsers send it in Origin. */
  public String origin() {
    return publicUrl.getScheme()
        + "://"
        + publicUrl.getHost()
        + (publicUrl.getPort() < 0 ? "" : ":" + publicUrl.getPort());
  }

  /** Where the web app lives: the public URL's root. */
  public URI webUrl(String path) {
    return URI.create(publicUrl + path);
  }
}
