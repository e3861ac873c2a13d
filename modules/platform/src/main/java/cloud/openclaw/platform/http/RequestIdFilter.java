package cloud.openclaw.platform.http;

import cloud.openclaw.platform.logging.LogContext;
import cloud.openclaw.platform.logging.RequestIds;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Every request on a service's ports (public and internal) runs with a request id and the service's
 * name in its {@link LogContext}: the caller's {@code X-Request-Id} when it is a sane id (another
 * service of ours passing its own on), else a new one; the answer carries it back, so a caller can
 * quote it.
 */
final class RequestIdFilter {
  static final HeaderName HEADER = HeaderNames.create(RequestIds.HEADER);

  private final String service;

  RequestIdFilter(String service) {
    this.service = service;
  }

  void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    String id = RequestIds.accept(request.headers().first(HEADER).orElse(null));
    response.header(HEADER, id);
    try (LogContext.Scope named = LogContext.service(service);
        LogContext.Scope scope = LogContext.request(id)) {
      chain.proceed();
    }
  }
}
