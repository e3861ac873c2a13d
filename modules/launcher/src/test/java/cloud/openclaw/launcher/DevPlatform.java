package cloud.openclaw.launcher;

import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Dev mode as the launcher's ITs start it: on the test's PostgreSQL and Redis, the onboarding agent
 * given the sandbox's model ({@value OnboardingModel#SWITCH}).
 */
final class DevPlatform {
  private DevPlatform() {}

  /**
   * The test's stores, every public port free; the token proxy's internal port (handed on to other
   * services, so a real one) in {@code proxy.internal.port}.
   */
  static Map<String, String> overrides(TestPostgres postgres, TestRedis redis) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("db.url", postgres.jdbcUrl());
    overrides.put("db.user", postgres.user());
    overrides.put("db.password", postgres.password());
    overrides.put("redis.url", redis.url());
    overrides.put("redis.prefix", redis.prefix());
    DevService.ALL.forEach(service -> overrides.put(service.key() + ".port", "0"));
    overrides.put("proxy.internal.port", Integer.toString(Ports.free()));
    return overrides;
  }

  /** Dev mode on {@code overrides}, not yet started. */
  static DevLauncher launcher(Path home, Map<String, String> overrides) {
    return new DevLauncher(home, Map.of(OnboardingModel.SWITCH, "true"), overrides);
  }
}
