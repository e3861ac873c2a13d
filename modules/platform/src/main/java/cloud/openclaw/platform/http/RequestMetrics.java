package cloud.openclaw.platform.http;

import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code http_server_requests_seconds{method,status,route}}: every request on a service's public
 * port, timed by a routing filter. The route is the first segment of the pattern the request
 * matched ({@code /api}, {@code /v1}, {@code /stripe}), never the raw path, so a client cannot grow
 * the number of series; a request no route matched is {@value #UNMATCHED}.
 */
final class RequestMetrics {
  static final String NAME = "http.server.requests";
  static final String UNMATCHED = "unmatched";

  private final MeterRegistry registry;

  RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
    // Registered at start, so a scrape lists the family before the first request.
    timer("GET", 200, "/observe");
  }

  void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    long started = System.nanoTime();
    int status = 500;
    try {
      chain.proceed();
      status = response.status().code();
    } finally {
      timer(request.prologue().method().text(), status, route(request.matchingPattern().orElse("")))
          .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
  }

  /** The first segment of a routing pattern: {@code /api/boxes/{id}} → {@code /api}. */
  static String route(String pattern) {
    if (pattern.isEmpty()) {
      return UNMATCHED;
    }
    int from = pattern.startsWith("/") ? 1 : 0;
    int end = pattern.indexOf('/', from);
    String first = end < 0 ? pattern.substring(from) : pattern.substring(from, end);
    return "/" + first;
  }

  private Timer timer(String method, int status, String route) {
    return Metrics.timer(
        registry,
        NAME,
        "Requests on the public port by method, status and route (the pattern's prefix)",
        "method",
        method.toUpperCase(Locale.ROOT),
        "status",
        Integer.toString(status),
        "route",
        route);
  }
}
