package cloud.openclaw.platform.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * A service's own Prometheus registry, tagged with the service's name, with JVM meters bound; and
 * the timers the services register in it, each published as a histogram (alert rules and dashboards
 * take quantiles from its {@code _bucket} series).
 */
public final class Metrics {
  private Metrics() {}

  public static PrometheusMeterRegistry registry(String service) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("service", service);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    return registry;
  }

  /**
   * A timer {@code name} with {@code tags} (name, value, name, value…), published as a histogram
   * with Micrometer's default buckets for timers (1 ms to 30 s).
   */
  public static Timer timer(
      MeterRegistry registry, String name, String description, String... tags) {
    return histogram(name, description, tags).register(registry);
  }

  /**
   * A timer as {@link #timer(MeterRegistry, String, String, String...)} with its buckets from
   * {@code minimum} to {@code maximum}, for durations far from the default range.
   */
  public static Timer timer(
      MeterRegistry registry,
      String name,
      String description,
      Duration minimum,
      Duration maximum,
      String... tags) {
    return histogram(name, description, tags)
        .minimumExpectedValue(minimum)
        .maximumExpectedValue(maximum)
        .register(registry);
  }

  private static Timer.Builder histogram(String name, String description, String... tags) {
    return Timer.builder(name).description(description).tags(tags).publishPercentileHistogram();
  }
}
