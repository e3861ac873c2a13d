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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring stack in the rendered platform (nixos/platform/monitoring.nix): a pinned
 * kube-prometheus-stack whose Prometheus selects our ServiceMonitors and one PrometheusRule per
 * file of nixos/monitoring/rules, each service scraped on its internal port, Grafana's dashboards
 * from nixos/monitoring/dashboards, and Alertmanager routing pages to PagerDuty and Slack, tickets
 * to Slack, with every credential read from a file of a Secret that sops fills, never in the
 * rendered JSON. Skipped without nix-instantiate, except in CI (see PlatformRender).
 */
class MonitoringManifestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAMESPACE = "monitoring";
  private static final String SERVICES_NAMESPACE = "openclaw-system";
  private static final Set<String> REQUIRED_DASHBOARDS =
      Set.of("provisioning", "token-proxy", "billing", "boxes", "nodes");

  private static JsonNode rendered;
  private static List<JsonNode> objects;
  private static JsonNode values;

  @BeforeAll
  static void render() throws Exception {
    rendered = PlatformRender.render(List.of("nixos/platform/render.nix"));
    objects = new ArrayList<>();
    rendered.get("manifests").forEach(file -> file.forEach(objects::add));
    values = JSON.readTree(helmChart().at("/spec/valuesContent").asText());
  }

  @Test
  void theStackIsAPinnedChartInstalledByK3sIntoItsOwnNamespace() {
    JsonNode chart = helmChart();
    assertThat(chart.at("/metadata/namespace").asText()).isEqualTo("kube-system");
    assertThat(chart.at("/spec/chart").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(chart.at("/spec/repo").asText())
        .isEqualTo("https://prometheus-community.github.io/helm-charts");
    assertThat(chart.at("/spec/version").asText()).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(chart.at("/spec/targetNamespace").asText()).isEqualTo(NAMESPACE);
    assertThat(find("Namespace", null, NAMESPACE)).isPresent();

    // Prometheus keeps its data on a volume, bounded in time and size.
    JsonNode prometheus = values.at("/prometheus/prometheusSpec");
    assertThat(prometheus.at("/retention").asText()).matches("\\d+d");
    assertThat(prometheus.at("/retentionSize").asText()).matches("\\d+GB");
    JsonNode claim = prometheus.at("/storageSpec/volumeClaimTemplate/spec");
    assertThat(claim.at("/storageClassName").asText()).isEqualTo("local-path");
    long volumeGi =
        Long.parseLong(claim.at("/resources/requests/storage").asText().replace("Gi", ""));
    long retentionGb = Long.parseLong(prometheus.at("/retentionSize").asText().replace("GB", ""));
    assertThat(retentionGb).as("retentionSize fits the volume").isLessThan(volumeGi);
    assertThat(
            values
                .at(
                    "/alertmanager/alertmanagerSpec/storage/volumeClaimTemplate/spec/storageClassName")
                .asText())
        .isEqualTo("local-path");

    // node-exporter on every node, the control plane included, whatever its taints.
    assertThat(values.at("/prometheus-node-exporter/tolerations"))
        .anySatisfy(
            toleration -> {
              assertThat(toleration.at("/operator").asText()).isEqualTo("Exists");
              assertThat(toleration.has("key")).isFalse();
              assertThat(toleration.has("effect")).isFalse();
            });
    assertThat(values.at("/kube-state-metrics/enabled").asBoolean(true)).isTrue();
    assertThat(values.at("/grafana/enabled").asBoolean(true)).isTrue();
    assertThat(values.at("/alertmanager/enabled").asBoolean(true)).isTrue();

    // Every component asks for what it needs and has a memory ceiling.
    for (String path :
        List.of(
            "/prometheus/prometheusSpec/resources",
            "/alertmanager/alertmanagerSpec/resources",
            "/grafana/resources",
            "/grafana/sidecar/resources",
            "/kube-state-metrics/resources",
            "/prometheus-node-exporter/resources",
            "/prometheusOperator/resources",
            "/prometheusOperator/prometheusConfigReloader/resources",
            "/prometheusOperator/admissionWebhooks/patch/resources")) {
      JsonNode resources = values.at(path);
      assertThat(resources.at("/requests/cpu").asText()).as(path).isNotEmpty();
      assertThat(resources.at("/requests/memory").asText()).as(path).isNotEmpty();
      assertThat(resources.at("/limits/memory").asText()).as(path).isNotEmpty();
    }
  }

  @Test
  void prometheusScrapesEveryServiceOnItsInternalPort() {
    JsonNode services = rendered.get("services");
    assertThat(services.size()).isEqualTo(5);
    services
        .properties()
        .forEach(
            entry -> {
              String name = entry.getKey();
              int internal = entry.getValue().at("/ports/internal").asInt();
              JsonNode service = find("Service", SERVICES_NAMESPACE, name).orElseThrow();
              JsonNode port = namedPort(service.at("/spec/ports"), "internal");
              assertThat(port.get("port").asInt()).as(name + " internal port").isEqualTo(internal);

              List<JsonNode> monitors = monitorsSelecting(service);
              assertThat(monitors).as("ServiceMonitors selecting " + name).hasSize(1);
              JsonNode endpoint = monitors.getFirst().at("/spec/endpoints/0");
              assertThat(endpoint.get("port").asText()).as(name).isEqualTo("internal");
              assertThat(endpoint.get("path").asText()).as(name).isEqualTo("/observe/metrics");
              assertThat(endpoint.get("honorLabels").asBoolean()).as(name).isTrue();
            });
    assertThat(services.get("api").at("/ports/internal").asInt()).isEqualTo(9080);
    assertThat(services.get("token-proxy").at("/ports/internal").asInt()).isEqualTo(8091);
  }

  @Test
  void prometheusScrapesTheIngressCertManagerAndTheDataStores() {
    // ingress-nginx publishes its metrics Service only with controller.metrics.enabled.
    JsonNode ingressValues =
        readJson(
            find("HelmChart", "kube-system", "ingress-nginx")
                .orElseThrow()
                .at("/spec/valuesContent")
                .asText());
    assertThat(ingressValues.at("/controller/metrics/enabled").asBoolean()).isTrue();
    assertThat(
            monitor("ingress-nginx", "ingress-nginx-controller")
                .at("/spec/endpoints/0/port")
                .asText())
        .isEqualTo("metrics");
    assertThat(monitor("cert-manager", "cert-manager").at("/spec/endpoints/0/port").asText())
        .isEqualTo("tcp-prometheus-servicemonitor");

    Map<String, String> exporters =
        Map.of(
            "postgres-exporter", "quay.io/prometheuscommunity/postgres-exporter:v",
            "redis-exporter", "docker.io/oliver006/redis_exporter:v");
    exporters.forEach(
        (name, image) -> {
          JsonNode deployment = find("Deployment", SERVICES_NAMESPACE, name).orElseThrow();
          JsonNode container = deployment.at("/spec/template/spec/containers/0");
          assertThat(container.get("image").asText()).as(name + " image, pinned").startsWith(image);
          assertThat(container.at("/resources/limits/memory").asText()).as(name).isNotEmpty();
          assertThat(container.at("/securityContext/runAsNonRoot").asBoolean()).as(name).isTrue();
          JsonNode service = find("Service", SERVICES_NAMESPACE, name).orElseThrow();
          assertThat(namedPort(service.at("/spec/ports"), "metrics").get("port").asInt())
              .isEqualTo(namedPort(container.get("ports"), "metrics").get("containerPort").asInt());
          assertThat(monitorsSelecting(service))
              .as(name)
              .singleElement()
              .satisfies(
                  m -> assertThat(m.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics"));
        });
  }

  @Test
  void prometheusSelectsEveryServiceMonitorAndRuleOfOurs() {
    JsonNode spec = values.at("/prometheus/prometheusSpec");
    for (String kind : List.of("ServiceMonitor", "PrometheusRule")) {
      String selector = kind.equals("ServiceMonitor") ? "serviceMonitorSelector" : "ruleSelector";
      String namespaces =
          kind.equals("ServiceMonitor")
              ? "serviceMonitorNamespaceSelector"
              : "ruleNamespaceSelector";
      // {} is every namespace.
      assertThat(spec.get(namespaces).isEmpty()).as(namespaces).isTrue();
      for (JsonNode object : ofKind(kind)) {
        spec.at("/" + selector + "/matchLabels")
            .properties()
            .forEach(
                label ->
                    assertThat(object.at("/metadata/labels").path(label.getKey()).asText())
                        .as(kind + " " + object.at("/metadata/name").asText())
                        .isEqualTo(label.getValue().asText()));
      }
    }
    assertThat(ofKind("ServiceMonitor")).hasSizeGreaterThanOrEqualTo(9);
  }

  @Test
  void everyRuleFileIsAPrometheusRule() throws IOException {
    Map<String, JsonNode> files = jsonFiles("nixos/monitoring/rules");
    Map<String, JsonNode> rules = new TreeMap<>();
    for (JsonNode rule : ofKind("PrometheusRule")) {
      if ("openclaw-cloud"
          .equals(rule.at("/metadata/labels/app.kubernetes.io~1part-of").asText())) {
        assertThat(rule.at("/metadata/namespace").asText()).isEqualTo(NAMESPACE);
        rules.put(rule.at("/metadata/name").asText(), rule.get("spec"));
      }
    }
    Map<String, JsonNode> expected = new TreeMap<>();
    files.forEach((name, content) -> expected.put("openclaw-" + name, content));
    assertThat(rules).isEqualTo(expected);
    for (JsonNode spec : rules.values()) {
      assertThat(spec.get("groups")).isNotEmpty();
    }
  }

  @Test
  void everyDashboardIsAConfigMapGrafanasSidecarLoads() throws IOException {
    JsonNode sidecar = values.at("/grafana/sidecar/dashboards");
    assertThat(sidecar.get("enabled").asBoolean()).isTrue();
    String label = sidecar.get("label").asText();
    String labelValue = sidecar.get("labelValue").asText();
    String folderAnnotation = sidecar.get("folderAnnotation").asText();

    Map<String, JsonNode> files = jsonFiles("nixos/monitoring/dashboards");
    assertThat(files.keySet()).containsAll(REQUIRED_DASHBOARDS);
    Set<String> uids = new TreeSet<>();
    for (var file : files.entrySet()) {
      String name = file.getKey();
      JsonNode configMap = find("ConfigMap", NAMESPACE, "dashboard-" + name).orElseThrow();
      assertThat(configMap.at("/metadata/labels").path(label).asText()).isEqualTo(labelValue);
      assertThat(configMap.at("/metadata/annotations").path(folderAnnotation).asText())
          .isNotEmpty();
      JsonNode dashboard = readJson(configMap.at("/data").path(name + ".json").asText());
      assertThat(dashboard).as(name).isEqualTo(file.getValue());
      assertThat(uids.add(dashboard.get("uid").asText())).as(name + " uid unique").isTrue();
      assertThat(dashboard.get("title").asText()).as(name).isNotEmpty();
      List<JsonNode> panels = new ArrayList<>();
      dashboard.get("panels").forEach(panels::add);
      assertThat(panels)
          .as(name + " panels")
          .filteredOn(p -> !"row".equals(p.path("type").asText()))
          .isNotEmpty();
      for (JsonNode panel : panels) {
        if (!"row".equals(panel.path("type").asText())) {
          assertThat(panel.get("targets")).as(name + " / " + panel.get("title")).isNotEmpty();
          panel
              .get("targets")
              .forEach(target -> assertThat(target.path("expr").asText()).as(name).isNotBlank());
        }
      }
    }
  }

  @Test
  void pagesGoToPagerDutyAndSlackTicketsToSlack() {
    JsonNode config = values.at("/alertmanager/config");
    JsonNode page = receiverOf(config, Map.of("severity", "page", "alertname", "ProxyDown"));
    assertThat(page.path("pagerduty_configs").size()).isOne();
    assertThat(page.path("slack_configs").size()).isOne();
    JsonNode ticket = receiverOf(config, Map.of("severity", "ticket", "alertname", "BackupLate"));
    assertThat(ticket.has("pagerduty_configs")).isFalse();
    assertThat(ticket.path("slack_configs").size()).isOne();
    // The stack's heartbeat reaches nobody.
    JsonNode watchdog = receiverOf(config, Map.of("severity", "none", "alertname", "Watchdog"));
    assertThat(watchdog.has("slack_configs") || watchdog.has("pagerduty_configs")).isFalse();
    assertThat(config.at("/route/group_by")).isNotEmpty();
    // A page silences the ticket of the same alert.
    assertThat(config.get("inhibit_rules"))
        .anySatisfy(
            rule -> {
              assertThat(rule.get("source_matchers").toString()).contains("page");
              assertThat(rule.get("target_matchers").toString()).contains("ticket");
              assertThat(rule.get("equal").toString()).contains("alertname");
            });
  }

  /**
   * Alertmanager's own parser (amtool, from Debian's prometheus-alertmanager; .ci/run puts it on
   * PATH) accepts the configuration, and its router sends each severity where it should.
   */
  @Test
  void alertmanagerAcceptsTheConfigurationAndRoutesBySeverity(@TempDir Path dir) throws Exception {
    Path amtool = onPath("amtool");
    if (amtool == null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("amtool is missing: .ci/run installs it from Debian's prometheus-alertmanager");
      }
      assumeTrue(false, "amtool is not installed: Alertmanager configuration not parsed");
    }
    Path config = dir.resolve("alertmanager.json");
    Files.writeString(config, values.at("/alertmanager/config").toString());
    assertThat(run(amtool.toString(), "check-config", config.toString())).contains("SUCCESS");
    Map<String, String> expected =
        Map.of(
            "severity=page", "pagerduty-and-slack",
            "severity=critical", "pagerduty-and-slack",
            "severity=ticket", "slack",
            "severity=warning", "slack",
            "severity=info", "null");
    for (var route : expected.entrySet()) {
      String receiver =
          run(
              amtool.toString(),
              "config",
              "routes",
              "test",
              "--config.file=" + config,
              "alertname=SomethingWrong",
              route.getKey());
      assertThat(receiver.strip()).as(route.getKey()).isEqualTo(route.getValue());
    }
    assertThat(
            run(
                    amtool.toString(),
                    "config",
                    "routes",
                    "test",
                    "--config.file=" + config,
                    "alertname=Watchdog",
                    "severity=none")
                .strip())
        .isEqualTo("null");
  }

  @Test
  void alertmanagerAndGrafanaReadTheirCredentialsFromSecretsSopsFills(@TempDir Path dir)
      throws Exception {
    JsonNode monitoringSecrets = rendered.at("/monitoringSecrets");
    assertThat(monitoringSecrets.get("namespace").asText()).isEqualTo(NAMESPACE);
    JsonNode secrets = monitoringSecrets.get("secrets");

    // Alertmanager: every credential is a *_file under a mounted Secret's key.
    JsonNode config = values.at("/alertmanager/config");
    Set<String> mounted = new TreeSet<>();
    values.at("/alertmanager/alertmanagerSpec/secrets").forEach(s -> mounted.add(s.asText()));
    List<String> files = new ArrayList<>();
    for (JsonNode receiver : config.get("receivers")) {
      receiver
          .path("pagerduty_configs")
          .forEach(
              pd -> {
                assertThat(pd.has("routing_key")).isFalse();
                assertThat(pd.has("service_key")).isFalse();
                files.add(pd.get("routing_key_file").asText());
              });
      receiver
          .path("slack_configs")
          .forEach(
              slack -> {
                assertThat(slack.has("api_url")).isFalse();
                files.add(slack.get("api_url_file").asText());
              });
    }
    assertThat(files).isNotEmpty();
    Pattern secretFile = Pattern.compile("/etc/alertmanager/secrets/([^/]+)/([^/]+)");
    for (String file : files) {
      Matcher m = secretFile.matcher(file);
      assertThat(m.matches()).as(file).isTrue();
      assertThat(mounted).as(file).contains(m.group(1));
      assertThat(secrets.at("/" + m.group(1)).has(m.group(2))).as(file).isTrue();
    }
    assertThat(config.at("/global").has("slack_api_url")).isFalse();
    assertThat(config.at("/global").has("pagerduty_url")).isFalse();

    JsonNode admin = values.at("/grafana/admin");
    JsonNode grafanaSecret = secrets.get(admin.get("existingSecret").asText());
    assertThat(grafanaSecret).isNotNull();
    assertThat(grafanaSecret.has(admin.get("userKey").asText())).isTrue();
    assertThat(grafanaSecret.has(admin.get("passwordKey").asText())).isTrue();
    assertThat(values.at("/grafana").has("adminPassword")).isFalse();

    // The control plane renders them into namespace monitoring, as for openclaw-system.
    for (JsonNode keys : secrets) {
      for (JsonNode sopsKey : keys) {
        Files.writeString(dir.resolve(sopsKey.asText()), "value of " + sopsKey.asText());
      }
    }
    List<JsonNode> documents =
        RenderedSecrets.render(dir, "(import ./nixos/platform/render.nix).monitoringSecrets");
    assertThat(documents).hasSize(secrets.size());
    for (JsonNode secret : documents) {
      assertThat(secret.at("/metadata/namespace").asText()).isEqualTo(NAMESPACE);
      JsonNode keys = secrets.get(secret.at("/metadata/name").asText());
      keys.properties()
          .forEach(
              key ->
                  assertThat(RenderedSecrets.value(secret, key.getKey()))
                      .isEqualTo("value of " + key.getValue().asText()));
    }
  }

  @Test
  void noSecretValueIsInTheRenderedPlatform() {
    String text = rendered.get("manifests").toString();
    assertThat(ofKind("Secret")).isEmpty();
    assertThat(text)
        .doesNotContain("CHANGE-ME")
        .doesNotContain("hooks.slack.com")
        .doesNotContain("events.pagerduty.com")
        .doesNotContainPattern("\"(api_url|routing_key|service_key|adminPassword|auth_password)\"");
  }

  /** Runs a command, expects exit status 0 and returns its standard output. */
  private static String run(String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }

  private static Path onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Alertmanager's routing tree as it reads it: the first matching child route, else the parent.
   */
  private static JsonNode receiverOf(JsonNode config, Map<String, String> labels) {
    String receiver = config.at("/route/receiver").asText();
    for (JsonNode route : config.at("/route/routes")) {
      boolean all = true;
      for (JsonNode matcher : route.get("matchers")) {
        all &= matches(matcher.asText(), labels);
      }
      if (all) {
        receiver = route.get("receiver").asText();
        break;
      }
    }
    for (JsonNode candidate : config.get("receivers")) {
      if (candidate.get("name").asText().equals(receiver)) {
        return candidate;
      }
    }
    throw new AssertionError("no receiver " + receiver);
  }

  private static boolean matches(String matcher, Map<String, String> labels) {
    Matcher m = Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)\\s*\"(.*)\"").matcher(matcher);
    assertThat(m.matches()).as(matcher).isTrue();
    String value = labels.getOrDefault(m.group(1), "");
    return switch (m.group(2)) {
      case "=" -> value.equals(m.group(3));
      case "!=" -> !value.equals(m.group(3));
      case "=~" -> value.matches(m.group(3));
      default -> !value.matches(m.group(3));
    };
  }

  private static Map<String, JsonNode> jsonFiles(String directory) throws IOException {
    Path dir = PlatformRender.repositoryRoot().resolve(directory);
    Map<String, JsonNode> files = new TreeMap<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> list = Files.list(dir)) {
        for (Path file : list.filter(f -> f.toString().endsWith(".json")).toList()) {
          files.put(
              file.getFileName().toString().replaceFirst("\\.json$", ""),
              JSON.readTree(file.toFile()));
        }
      }
    }
    return files;
  }

  private static List<JsonNode> monitorsSelecting(JsonNode service) {
    String namespace = service.at("/metadata/namespace").asText();
    Map<String, String> labels = new TreeMap<>();
    service
        .at("/metadata/labels")
        .properties()
        .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    return ofKind("ServiceMonitor").stream()
        .filter(
            m -> {
              JsonNode names = m.at("/spec/namespaceSelector/matchNames");
              boolean inNamespace =
                  names.isMissingNode()
                      ? m.at("/metadata/namespace").asText().equals(namespace)
                      : names.toString().contains("\"" + namespace + "\"");
              boolean selected = true;
              for (var label : m.at("/spec/selector/matchLabels").properties()) {
                selected &= label.getValue().asText().equals(labels.get(label.getKey()));
              }
              return inNamespace && selected;
            })
        .toList();
  }

  private static JsonNode monitor(String namespace, String name) {
    return find("ServiceMonitor", namespace, name).orElseThrow(() -> new AssertionError(name));
  }

  private static JsonNode namedPort(JsonNode ports, String name) {
    for (JsonNode port : ports) {
      if (name.equals(port.path("name").asText())) {
        return port;
      }
    }
    throw new AssertionError("no port " + name + " in " + ports);
  }

  private static JsonNode helmChart() {
    return find("HelmChart", "kube-system", "kube-prometheus-stack")
        .orElseThrow(() -> new AssertionError("no HelmChart kube-prometheus-stack"));
  }

  private static List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  private static Optional<JsonNode> find(String kind, String namespace, String name) {
    return ofKind(kind).stream()
        .filter(o -> name.equals(o.at("/metadata/name").asText()))
        .filter(o -> namespace == null || namespace.equals(o.at("/metadata/namespace").asText()))
        .findFirst();
  }

  private static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + e.getMessage(), e);
    }
  }
}
