package cloud.openclaw.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The token proxy's meters (Prometheus names in docs/token-proxy.md). */
final class ProxyMetrics {
  private final MeterRegistry registry;
  private final Timer overhead;
  private final Timer upstreamLatency;
  private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();

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
    counter("proxy_requests", "outcome", outcome).increment();
  }

  void rejected(String reason) {
    counter("proxy_rejections", "reason", reason).increment();
  }

  void tokens(String model, long prompt, long completion) {
    counter("proxy_tokens", "model", model, "kind", "prompt").increment(prompt);
    counter("proxy_tokens", "model", model, "kind", "completion").increment(completion);
  }

  // Looked up once per name and tags: building and registering a meter on every request showed up
  // in the proxy's profile.
  private Counter counter(String name, String... tags) {
    return counters.computeIfAbsent(
        new CounterKey(name, List.of(tags)),
        key -> Counter.builder(name).tags(tags).register(registry));
  }

  private record CounterKey(String name, List<String> tags) {}

  void overhead(long nanos) {
    overhead.record(Duration.ofNanos(nanos));
  }

  void upstream(long nanos) {
    upstreamLatency.record(Duration.ofNanos(nanos));
  }
}
