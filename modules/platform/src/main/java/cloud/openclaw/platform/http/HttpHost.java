package cloud.openclaw.platform.http;

import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.db.Connections;
import io.helidon.health.HealthCheck;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.Routing;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Starts a service's web server with what every service has: a request body limit, the one error
 * mapping, and two listeners. The public port ({@code <service>.port}) carries the service's routes
 * and a bare /observe/health; the internal port ({@code <service>.internal-port}, never behind the
 * ingress) carries /observe/health with each check (Helidon's health observer) and /observe/metrics
 * (Prometheus text from the service's own registry).
 */
public final class HttpHost {
  /** The listener of metrics and detailed health: {@code <service>.internal-port}. */
  public static final String INTERNAL = "internal";

  private static final Map<String, String> UP = Map.of("status", "UP");

  private HttpHost() {}

  public static RunningService start(
      String name,
      ServerSettings settings,
      List<HealthCheck> checks,
      PrometheusMeterRegistry metrics,
      Consumer<HttpRouting.Builder> routes,
      List<AutoCloseable> resources) {
    return start(name, settings, checks, metrics, routes, List.of(), resources);
  }

  /**
   * Like {@link #start(String, ServerSettings, List, PrometheusMeterRegistry, Consumer, List)},
   * with routings of other protocols (a WebSocket routing) beside the HTTP one.
   */
  public static RunningService start(
      String name,
      ServerSettings settings,
      List<HealthCheck> checks,
      PrometheusMeterRegistry metrics,
      Consumer<HttpRouting.Builder> routes,
      List<? extends io.helidon.common.Builder<?, ? extends Routing>> otherRoutings,
      List<AutoCloseable> resources) {
    return start(
        name,
        settings,
        checks,
        metrics,
        routes,
        internal -> {},
        ErrorShape.PLATFORM,
        otherRoutings,
        resources);
  }

  /**
   * The whole of it: {@code routes} on the public port, {@code internalRoutes} beside metrics and
   * detailed health on the internal port, errors the server answers itself in {@code errors}'
   * shape.
   */
  public static RunningService start(
      String name,
      ServerSettings settings,
      List<HealthCheck> checks,
      PrometheusMeterRegistry metrics,
      Consumer<HttpRouting.Builder> routes,
      Consumer<HttpRouting.Builder> internalRoutes,
      ErrorShape errors,
      List<? extends io.helidon.common.Builder<?, ? extends Routing>> otherRoutings,
      List<AutoCloseable> resources) {
    int limit = settings.maxBodyBytes();
    WebServer server =
        WebServer.builder()
            .host(settings.host())
            .port(settings.port())
            // Helidon refuses a larger Content-Length before reading, and a chunked body once
            // its chunks pass the limit; either way a 413 and the connection closes.
            .maxPayloadSize(limit)
            .directHandlers(BodyLimit.directHandlers(errors, limit))
            .shutdownHook(false)
            // Streamed answers are many small writes: Nagle's algorithm would hold each one back.
            .connectionOptions(options -> options.tcpNoDelay(true))
            .putSocket(
                INTERNAL,
                socket ->
                    socket
                        .host(settings.internalHost())
                        .port(settings.internalPort())
                        .maxPayloadSize(limit)
                        // Its callers are the platform's own services: the platform's shape.
                        .directHandlers(BodyLimit.directHandlers(ErrorShape.PLATFORM, limit))
                        .connectionOptions(options -> options.tcpNoDelay(true)))
            .addFeature(
                ObserveFeature.builder()
                    .addObserver(health(checks))
                    .sockets(List.of(INTERNAL))
                    .build())
            .routing(
                routing ->
                    routing(
                        routing,
                        errors,
                        limit,
                        new RequestIdFilter(name),
                        new RequestMetrics(metrics),
                        routes))
            .routing(
                INTERNAL,
                routing ->
                    internalRouting(
                        routing, limit, new RequestIdFilter(name), metrics, internalRoutes))
            .addRoutings(List.copyOf(otherRoutings))
            .build()
            .start();
    return new RunningService(name, server, resources);
  }

  /**
   * What every server answers for requests it refuses before routing, for tests that configure a
   * server of their own: the JSON error in {@code errors}' shape.
   */
  public static DirectHandlers directHandlers(ErrorShape errors, int maxBodyBytes) {
    return BodyLimit.directHandlers(errors, maxBodyBytes);
  }

  /**
   * Starts a service that stands on PostgreSQL and Redis: health checks both, and the connections
   * close when the service stops (or at once, if the server cannot start).
   */
  public static RunningService serve(
      String name,
      ServerSettings settings,
      Connections connections,
      Consumer<HttpRouting.Builder> routes) {
    try {
      return serve(name, settings, connections, routes, List.of(connections));
    } catch (RuntimeException e) {
      connections.close();
      throw e;
    }
  }

  /**
   * Like {@link #serve(String, ServerSettings, Connections, Consumer)}, closing {@code resources}
   * (the connections among them) when the service stops; the caller closes them if it cannot start.
   */
  public static RunningService serve(
      String name,
      ServerSettings settings,
      Connections connections,
      Consumer<HttpRouting.Builder> routes,
      List<AutoCloseable> resources) {
    return start(
        name, settings, connections.healthChecks(), Metrics.registry(name), routes, resources);
  }

  /**
   * Like {@link #serve(String, ServerSettings, Connections, Consumer, List)}, with other routings.
   */
  public static RunningService serve(
      String name,
      ServerSettings settings,
      Connections connections,
      Consumer<HttpRouting.Builder> routes,
      List<? extends io.helidon.common.Builder<?, ? extends Routing>> otherRoutings,
      List<AutoCloseable> resources) {
    return start(
        name,
        settings,
        connections.healthChecks(),
        Metrics.registry(name),
        routes,
        otherRoutings,
        resources);
  }

  /**
   * Health with details: 200 and a JSON body naming each check (Helidon's default, details off,
   * answers an empty 204 when all is well, so nothing could tell which checks ran).
   */
  static HealthObserver health(List<HealthCheck> checks) {
    return HealthObserver.builder()
        .details(true)
        .addChecks(checks.toArray(HealthCheck[]::new))
        .build();
  }

  /**
   * The public port: every request with its request id ({@link RequestIdFilter}), timed, a bare
   * liveness answer (no check names, no metrics: those are on the internal port) before the
   * service's routes.
   */
  static void routing(
      HttpRouting.Builder routing,
      ErrorShape errors,
      int maxBodyBytes,
      RequestIdFilter requestIds,
      RequestMetrics requests,
      Consumer<HttpRouting.Builder> routes) {
    routing.addFilter(requestIds::filter);
    routing.addFilter(requests::filter);
    ErrorResponses.register(routing);
    BodyLimit.register(routing, errors, maxBodyBytes);
    routing.get("/observe/health", (request, response) -> Json.send(response, Status.OK_200, UP));
    routes.accept(routing);
  }

  static void internalRouting(
      HttpRouting.Builder routing,
      int maxBodyBytes,
      RequestIdFilter requestIds,
      PrometheusMeterRegistry metrics,
      Consumer<HttpRouting.Builder> internalRoutes) {
    // The internal API (the token proxy's) is called by the other services with their request id.
    routing.addFilter(requestIds::filter);
    ErrorResponses.register(routing);
    BodyLimit.register(routing, ErrorShape.PLATFORM, maxBodyBytes);
    routing.get(
        "/observe/metrics",
        (request, response) -> {
          response.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
          response.send(metrics.scrape());
        });
    internalRoutes.accept(routing);
  }
}
