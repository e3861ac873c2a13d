package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric an alert rule (nixos/monitoring/rules) or a Grafana dashboard
 * (nixos/monitoring/dashboards) reads is one the services really export: the platform is started as
 * dev mode starts it, each service's /observe/metrics scraped on its internal port before any
 * traffic, and each name checked against what they list (a histogram's {@code _bucket}, {@code
 * _sum} and {@code _count} belong to its family). Names of the standard exporters (node-exporter,
 * kube-state-metrics, cAdvisor, ingress-nginx, cert-manager, postgres- and redis-exporter, the
 * backups' collector) and of Prometheus itself are not the services' to export.
 */
class MetricNamesIT {
  /** The services the alerts and dashboards watch. */
  private static final List<String> WATCHED =
      List.of("api", "token-proxy", "operator", "billing-worker");

  /**
   * The families agreed for issue 18 (the dashboards in another tree read them): each must be in
   * the first scrape, before any event.
   */
  static final List<String> AGREED =
      List.of(
          "proxy_requests_total",
          "proxy_rejections_total",
          "proxy_tokens_total",
          "proxy_overhead_seconds_bucket",
          "proxy_upstream_seconds_bucket",
          "proxy_upstream_errors_total",
          "proxy_usage_writer_lag_seconds",
          "proxy_usage_writer_pending",
          "operator_jobs_queued",
          "operator_jobs_dead",
          "operator_job_seconds_bucket",
          "operator_job_failures_total",
          "operator_paid_to_live_seconds_bucket",
          "operator_boxes",
          "operator_reconcile_seconds_bucket",
          "api_stripe_webhooks_total",
          "api_signups_total",
          "http_server_requests_seconds_bucket",
          "billing_events_total",
          "billing_event_lag_seconds_bucket",
          "billing_outbox_pending",
          "billing_emails_failed_total");

  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void everyMetricAnAlertOrADashboardReadsIsExportedBeforeTheFirstEvent(@TempDir Path home)
      throws Exception {
    Map<String, Set<String>> readBy = referencedNames(Monitoring.repositoryRoot());
    assertThat(readBy).as("metric names the alert rules read").isNotEmpty();

    Set<String> exported = new TreeSet<>();
    try (DevLauncher launcher =
        DevPlatform.launcher(home, DevPlatform.overrides(postgres, redis))) {
      launcher.start();
      Map<String, String> scrapes = new TreeMap<>();
      for (DevLauncher.Started service : launcher.services()) {
        HttpResponse<String> metrics =
            http.send(
                HttpRequest.newBuilder(URI.create(service.internalUrl() + "/observe/metrics"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).as(service.name() + " /observe/metrics").isEqualTo(200);
        scrapes.put(service.name(), metrics.body());
        exported.addAll(Monitoring.exportedNames(metrics.body()));
      }
      assertThat(scrapes).containsKeys(WATCHED.toArray(String[]::new));
      for (String service : WATCHED) {
        assertThat(scrapes.get(service))
            .as(service + ": requests on its public port, tagged with its name")
            .contains("http_server_requests_seconds_bucket{")
            .contains("service=\"" + service + "\"");
      }
    }

    assertThat(AGREED.stream().filter(name -> !exported.contains(name)))
        .as("agreed metric families missing from the first scrape")
        .isEmpty();

    Map<String, Set<String>> missing = new TreeMap<>();
    readBy.forEach(
        (name, where) -> {
          if (!Monitoring.exported(name, exported)) {
            missing.put(name, where);
          }
        });
    assertThat(missing)
        .as("metrics read by alerts or dashboards that no service exports")
        .isEmpty();
  }

  /** Each metric name the rules and dashboards read, with where it is read. */
  static Map<String, Set<String>> referencedNames(Path root) {
    Set<String> recorded = Monitoring.recordedNames(root);
    Map<String, Set<String>> readBy = new TreeMap<>();
    for (Monitoring.Alert alert : Monitoring.alerts(root)) {
      note(readBy, Monitoring.metricNames(alert.expr()), recorded, "alert " + alert.name());
    }
    for (String expr : Monitoring.recordingExpressions(root)) {
      note(readBy, Monitoring.metricNames(expr), recorded, "a recording rule");
    }
    for (Path dashboard : Monitoring.dashboards(root)) {
      JsonNode json = Monitoring.readJson(dashboard);
      for (String expr : Monitoring.dashboardExpressions(json)) {
        note(
            readBy, Monitoring.metricNames(expr), recorded, "dashboard " + dashboard.getFileName());
      }
    }
    return readBy;
  }

  private static void note(
      Map<String, Set<String>> readBy, Set<String> names, Set<String> recorded, String where) {
    for (String name : names) {
      if (!Monitoring.standard(name) && !recorded.contains(name)) {
        readBy.computeIfAbsent(name, n -> new TreeSet<>()).add(where);
      }
    }
  }
}
