package cloud.openclaw.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The token proxy's meters (Prometheus names in docs/token-proxy.md). */
final class ProxyMetrics {
  private final MeterRegistry registry;
  private final Timer overhead;
  private final Timer upstreamLatency;

  ProxyMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.overhead =
        Timer.builder("proxy_overhead")
            .description("Time spent in the proxy, excluding the upstream")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofSeconds(1))
            .register(registry);
    this.upstreamLatency =
        Timer.builder("proxy_upstream_latency")
            .description("Time from sending upstream to the end of its answer")
            .publishPercentileHistogram()
            .register(registry);
  }

  void request(String outcome) {
    Counter.builder("proxy_requests").tag("outcome", outcome).register(registry).increment();
  }

  void rejected(String reason) {
    Counter.builder("proxy_rejections").tag("reason", reason).register(registry).increment();
  }

  void tokens(String model, long prompt, long completion) {
    Counter.builder("proxy_tokens")
        .tag("model", model)
        .tag("kind", "prompt")
        .register(registry)
        .increment(prompt);
    Counter.builder("proxy_tokens")
        .tag("model", model)
        .tag("kind", "completion")
        .register(registry)
        .increment(completion);
  }

  void overhead(long nanos) {
    overhead.record(Duration.ofNanos(nanos));
  }

  void upstream(long nanos) {
    upstreamLatency.record(Duration.ofNanos(nanos));
  }
}
