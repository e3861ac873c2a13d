package cloud.openclaw.proxy;

import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.http.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The token proxy's meters (Prometheus names in docs/token-proxy.md). Every outcome, the usual
 * refusals and every kind of upstream error are registered at start, so a scrape lists each family
 * (and the alert rules' ratios have their series) before the first request.
 */
final class ProxyMetrics {
  /** How the upstream failed: proxy_upstream_errors_total{kind}. */
  static final List<String> UPSTREAM_ERROR_KINDS =
      List.of("timeout", "unreachable", "bad_status", "stream_broken");

  private static final List<String> USUAL_REFUSALS =
      List.of(
          "invalid_api_key", "rate_limit_exceeded", "insufficient_quota", "service_unavailable");

  private final MeterRegistry registry;
  private final Timer overhead;
  private final Map<String, Timer> upstreamByOutcome = new ConcurrentHashMap<>();
  private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();

  /** {@code models}: the models the proxy knows ({@code proxy.models}), each token kind at 0. */
  ProxyMetrics(MeterRegistry registry, java.util.Collection<String> models) {
    this.registry = registry;
    this.overhead =
        Metrics.timer(
            registry,
            "proxy_overhead",
            "Time spent in the proxy, excluding the upstream",
            Duration.ofNanos(10_000),
            Duration.ofSeconds(1));
    for (UsageOutcome outcome : UsageOutcome.values()) {
      counter("proxy_requests", "outcome", outcome.dbValue());
      if (outcome != UsageOutcome.REJECTED) {
        upstreamTimer(outcome.dbValue());
      }
    }
    USUAL_REFUSALS.forEach(reason -> counter("proxy_rejections", "reason", reason));
    UPSTREAM_ERROR_KINDS.forEach(kind -> counter("proxy_upstream_errors", "kind", kind));
    for (String model : models) {
      counter("proxy_tokens", "model", model, "kind", "prompt");
      counter("proxy_tokens", "model", model, "kind", "completion");
    }
  }

  private Timer upstreamTimer(String outcome) {
    return upstreamByOutcome.computeIfAbsent(
        outcome,
        key ->
            Metrics.timer(
                registry,
                "proxy_upstream",
                "Time from sending upstream to the end of its answer, by outcome",
                "outcome",
                key));
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

  void upstream(String outcome, long nanos) {
    upstreamTimer(outcome).record(Duration.ofNanos(nanos));
  }

  /**
   * One failed exchange with the upstream; {@code kind} is one of {@link #UPSTREAM_ERROR_KINDS}.
   */
  void upstreamError(String kind) {
    counter("proxy_upstream_errors", "kind", kind).increment();
  }
}
