package cloud.openclaw.platform.http;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import java.util.function.BooleanSupplier;

/** Readiness checks built from a yes/no probe, such as a database ping. */
public final class HealthChecks {
  private HealthChecks() {}

  public static HealthCheck of(String name, BooleanSupplier probe) {
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
        return HealthCheckResponse.builder().status(probe.getAsBoolean()).build();
      }
    };
  }
}
