package cloud.openclaw.platform.http;

import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.db.Connections;
import io.helidon.health.HealthCheck;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.Routing;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.Consumer;

/**
 * Starts a service's web server with what every service has: /observe/health (Helidon's health
 * observer, with the given checks), /observe/metrics (Prometheus text from the service's own
 * registry) and the one error mapping. The service adds its own routes.
 */
public final class HttpHost {
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
    WebServer server =
        WebServer.builder()
            .host(settings.host())
            .port(settings.port())
            .shutdownHook(false)
            // Streamed answers are many small writes: Nagle's algorithm would hold each one back.
            .connectionOptions(options -> options.tcpNoDelay(true))
            .directHandlers(ErrorResponses.directHandlers())
            .addFeature(ObserveFeature.just(health(checks)))
            .routing(routing -> routing(routing, metrics, routes))
            .addRoutings(List.copyOf(otherRoutings))
            .build()
            .start();
    return new RunningService(name, server, resources);
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

  static void routing(
      HttpRouting.Builder routing,
      PrometheusMeterRegistry metrics,
      Consumer<HttpRouting.Builder> routes) {
    ErrorResponses.register(routing);
    routing.get(
        "/observe/metrics",
        (request, response) -> {
          response.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
          response.send(metrics.scrape());
        });
    routes.accept(routing);
  }
}
