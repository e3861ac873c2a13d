package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The alert rules (nixos/monitoring/rules) are valid for Prometheus ({@code promtool check rules}),
 * their unit tests pass ({@code promtool test rules}), every alert has a test where it fires and
 * one where it stays silent, and every alert carries what the person on call needs: a severity that
 * routes it, a summary, a description and a runbook section in docs/operations.md. The promtool
 * parts are skipped without promtool (Debian's {@code prometheus} package), except in CI (CI=true),
 * where they fail.
 */
class MonitoringRulesTest {
  private static final Path ROOT = Monitoring.repositoryRoot();
  private static final Set<String> SEVERITIES = Set.of("page", "ticket");
  private static final Pattern HEADING = Pattern.compile("^#{2,3} +(.+?) *$", Pattern.MULTILINE);

  @Test
  void everyRuleFileIsValidForPrometheus() throws Exception {
    Path promtool = promtool();
    List<Path> files = Monitoring.ruleFiles(ROOT);
    assertThat(files).as("rule files in nixos/monitoring/rules").isNotEmpty();
    for (Path file : files) {
      run(promtool, "check", "rules", file);
    }
  }

  @Test
  void everyPromtoolUnitTestPasses() throws Exception {
    Path promtool = promtool();
    List<Path> files = Monitoring.testFiles(ROOT);
    assertThat(files).as("promtool tests in nixos/monitoring/tests").isNotEmpty();
    for (Path file : files) {
      run(promtool, "test", "rules", file);
    }
  }

  @Test
  void everyAlertHasATestWhereItFiresAndOneWhereItStaysSilent() throws IOException {
    // promtool's test files are YAML; read as plain maps, then walked as JSON.
    ObjectMapper json = new ObjectMapper();
    Set<String> fires = new HashSet<>();
    Set<String> silent = new HashSet<>();
    for (Path file : Monitoring.testFiles(ROOT)) {
      Object loaded = new org.yaml.snakeyaml.Yaml().load(Files.readString(file));
      for (JsonNode test : json.valueToTree(loaded).path("tests")) {
        for (JsonNode check : test.path("alert_rule_test")) {
          String alert = check.path("alertname").asText();
          (check.path("exp_alerts").isEmpty() ? silent : fires).add(alert);
        }
      }
    }
    Set<String> alerts =
        Monitoring.alerts(ROOT).stream()
            .map(Monitoring.Alert::name)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.stream().filter(a -> !fires.contains(a)))
        .as("alerts no promtool test expects to fire")
        .isEmpty();
    assertThat(alerts.stream().filter(a -> !silent.contains(a)))
        .as("alerts no promtool test expects to stay silent")
        .isEmpty();
  }

  @Test
  void everyAlertSaysHowUrgentItIsWhatItMeansAndWhereItsRunbookIs() throws IOException {
    String operations =
        Files.readString(ROOT.resolve("docs/operations.md"), StandardCharsets.UTF_8);
    Set<String> anchors = new HashSet<>();
    Matcher heading = HEADING.matcher(operations);
    while (heading.find()) {
      anchors.add(anchor(heading.group(1)));
    }
    Set<String> names = new HashSet<>();
    for (Monitoring.Alert alert : Monitoring.alerts(ROOT)) {
      String where = alert.name() + " in " + ROOT.relativize(alert.file());
      assertThat(names.add(alert.name())).as("one alert named " + alert.name()).isTrue();
      assertThat(alert.label("severity")).as(where + ": labels.severity").isIn(SEVERITIES);
      assertThat(alert.annotation("summary")).as(where + ": annotations.summary").isNotBlank();
      assertThat(alert.annotation("description"))
          .as(where + ": annotations.description")
          .isNotBlank();
      String anchor = alert.name().toLowerCase(Locale.ROOT);
      assertThat(alert.annotation("runbook"))
          .as(where + ": annotations.runbook")
          .isEqualTo("docs/operations.md#" + anchor);
      assertThat(anchors).as(where + ": a section of docs/operations.md").contains(anchor);
      assertThat(Monitoring.metricNames(alert.expr()))
          .as(where + ": the metrics it reads")
          .isNotEmpty();
    }
  }

  @Test
  void theMetricNamesOfAnExpressionAreFoundWhateverSurroundsThem() {
    assertThat(
            Monitoring.metricNames(
                "histogram_quantile(0.99, sum by (le, service) (rate(proxy_overhead_seconds_bucket{service=~\"token-proxy|x\"}[5m] offset 1h)))"
                    + " > 0.05 and on() (sum without (instance) (increase(operator_job_seconds_count[$__rate_interval])) or vector(0)) == 0"))
        .containsExactly("operator_job_seconds_count", "proxy_overhead_seconds_bucket");
    assertThat(
            Monitoring.metricNames(
                "time() - openclaw_backup_last_success_timestamp_seconds{kind=\"etcd\"} > 26 * 3600"
                    + " unless {__name__=\"billing_outbox_pending\", job=\"$job\"} > 1e3"))
        .containsExactly(
            "billing_outbox_pending", "openclaw_backup_last_success_timestamp_seconds");
    assertThat(
            Monitoring.metricNames(
                "sum(rate(http_server_requests_seconds_count{route=\"/v1\"}[${__range}])) by (status) / ignoring(status) group_left sum(up)"))
        .containsExactly("http_server_requests_seconds_count", "up");
    assertThat(
            Monitoring.exported("proxy_overhead_seconds_bucket", Set.of("proxy_overhead_seconds")))
        .isTrue();
    assertThat(Monitoring.exported("proxy_overhead_total", Set.of("proxy_overhead_seconds")))
        .isFalse();
  }

  @Test
  void theNamesMetricNamesItChecksAreTheServicesNotTheStandardExporters() {
    Set<String> names = MetricNamesIT.referencedNames(ROOT).keySet();
    assertThat(names)
        .contains(
            "proxy_usage_writer_lag_seconds",
            "operator_paid_to_live_seconds_bucket",
            "api_stripe_webhooks_total",
            "http_server_requests_seconds_count");
    assertThat(names).noneMatch(Monitoring::standard);
  }

  /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
  static String anchor(String heading) {
    return heading
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{N} _-]", "")
        .trim()
        .replace(' ', '-');
  }

  private static void run(Path promtool, String command, String subcommand, Path file)
      throws Exception {
    Process process =
        new ProcessBuilder(promtool.toString(), command, subcommand, file.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(process.exitValue())
        .as("promtool " + command + " " + subcommand + " " + ROOT.relativize(file) + ":\n" + output)
        .isZero();
  }

  private static Path promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "promtool");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("promtool is missing: CI must check the alert rules (apt-get install prometheus)");
    }
    assumeTrue(false, "promtool is not installed: alert rules not checked");
    return null;
  }
}
