package cloud.openclaw.platform.logging;

import java.util.List;

/**
 * The service a logger belongs to, by its name's package: what a log line says where one JVM runs
 * every service (dev mode) and no request or job tells. Loggers of the shared platform code and of
 * libraries are {@value #PLATFORM}.
 */
public final class ServiceNames {
  public static final String PLATFORM = "platform";

  private record Prefix(String packageName, String service) {}

  private static final List<Prefix> PREFIXES =
      List.of(
          new Prefix("cloud.openclaw.api", "api"),
          new Prefix("cloud.openclaw.proxy", "token-proxy"),
          new Prefix("cloud.openclaw.operator", "operator"),
          new Prefix("cloud.openclaw.billing", "billing-worker"),
          new Prefix("cloud.openclaw.onboarding", "onboarding-agent"),
          new Prefix("cloud.openclaw.sandbox", "sandbox"));

  private ServiceNames() {}

  public static String ofLogger(String loggerName) {
    if (loggerName != null) {
      for (Prefix prefix : PREFIXES) {
        if (loggerName.equals(prefix.packageName())
            || loggerName.startsWith(prefix.packageName() + ".")) {
          return prefix.service();
        }
      }
    }
    return PLATFORM;
  }
}
