package cloud.openclaw.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void aTimerIsAHistogramWithTheDefaultBuckets() {
    Metrics.timer(registry, "pass", "One pass", "kind", "full").record(Duration.ofMillis(5));

    assertThat(registry.scrape())
        .contains("# HELP pass_seconds One pass")
        .contains("pass_seconds_bucket{kind=\"full\",le=\"0.001\"} 0")
        .contains("pass_seconds_bucket{kind=\"full\",le=\"30.0\"} 1")
        .doesNotContain("le=\"0.0009");
  }

  @Test
  void aTimerWithBoundsHasItsBucketsBetweenThem() {
    Metrics.timer(registry, "lag", "Lag", Duration.ofMillis(10), Duration.ofHours(1))
        .record(Duration.ofSeconds(3));

    assertThat(registry.scrape())
        .contains("lag_seconds_bucket{le=\"0.01\"} 0")
        .contains("lag_seconds_bucket{le=\"3600.0\"} 1")
        .doesNotContain("lag_seconds_bucket{le=\"0.001\"}");
  }
}
