package cloud.openclaw.platform.http;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Readiness checks built from a yes/no probe, such as a database ping. */
public final class HealthChecks {
  private HealthChecks() {}

  public static HealthCheck of(String name, BooleanSupplier probe) {
    return of(name, probe, Map::of);
  }

  /**
   * A dependency the service can do without for a while (the token proxy serves from its caches
   * while PostgreSQL is down): always up, so the replica stays in its Service, with {@code
   * reachable} saying whether the probe answered.
   */
  public static HealthCheck reported(String name, BooleanSupplier probe) {
    return of(name, () -> true, () -> Map.of("reachable", probe.getAsBoolean()));
  }

  /** A check whose answer carries {@code details} (what is down, say) besides up or down. */
  public static HealthCheck of(
      String name, BooleanSupplier probe, Supplier<Map<String, ?>> details) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public HealthCheckType type() {
        return HealthCheckType.READINESS;
      }

      @Override
      public HealthCheckResponse call() {
        HealthCheckResponse.Builder response =
            HealthCheckResponse.builder().status(probe.getAsBoolean());
        details.get().forEach(response::detail);
        return response.build();
      }
    };
  }
}
