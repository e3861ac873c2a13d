package cloud.openclaw.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's monitoring files as the tests read them: alert rules ({@code
 * nixos/monitoring/rules/*.json}), promtool tests ({@code nixos/monitoring/tests/*.test.yaml}),
 * Grafana dashboards ({@code nixos/monitoring/dashboards/*.json}), and the metric names a PromQL
 * expression reads.
 */
final class Monitoring {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Families that exporters other than our services provide (node-exporter, kube-state-metrics,
   * cAdvisor, ingress-nginx, cert-manager, postgres-exporter, redis-exporter, the backups' textfile
   * collector) and the series Prometheus makes itself.
   */
  static final List<String> STANDARD_PREFIXES =
      List.of(
          "node_",
          "kube_",
          "container_",
          "nginx_ingress_controller_",
          "certmanager_",
          "pg_",
          "redis_",
          "openclaw_backup_",
          "scrape_",
          "prometheus_",
          "alertmanager_");

  static final Set<String> STANDARD_NAMES = Set.of("up", "ALERTS", "ALERTS_FOR_STATE");

  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "inf",
          "nan",
          "start",
          "end",
          "atan2");

  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern NAME_MATCHER =
      Pattern.compile("__name__\\s*=\\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"");
  private static final Pattern SELECTOR = Pattern.compile("\\{[^{}]*\\}");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?[0-9a-zA-Z]+");
  private static final Pattern GRAFANA_VARIABLE =
      Pattern.compile("\\$\\{[^}]*\\}|\\[\\[[^\\]]*\\]\\]|\\$[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![a-zA-Z0-9_:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

  private Monitoring() {}

  /** One alerting rule: where it is, and what it says. */
  record Alert(Path file, String group, String name, String expr, JsonNode rule) {
    String label(String key) {
      return rule.path("labels").path(key).asText("");
    }

    String annotation(String key) {
      return rule.path("annotations").path(key).asText("");
    }
  }

  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("nixos/platform/render.nix"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static List<Path> ruleFiles(Path root) {
    return files(root.resolve("nixos/monitoring/rules"), ".json");
  }

  static List<Path> testFiles(Path root) {
    return files(root.resolve("nixos/monitoring/tests"), ".test.yaml");
  }

  /** The dashboards; none when the directory is missing or empty. */
  static List<Path> dashboards(Path root) {
    return files(root.resolve("nixos/monitoring/dashboards"), ".json");
  }

  private static List<Path> files(Path dir, String suffix) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(file + " is not JSON", e);
    }
  }

  static List<Alert> alerts(Path root) {
    List<Alert> alerts = new ArrayList<>();
    for (Path file : ruleFiles(root)) {
      for (JsonNode group : readJson(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          if (rule.has("alert")) {
            alerts.add(
                new Alert(
                    file,
                    group.path("name").asText(),
                    rule.path("alert").asText(),
                    rule.path("expr").asText(),
                    rule));
          }
        }
      }
    }
    return alerts;
  }

  /** The expressions of the recording rules. */
  static List<String> recordingExpressions(Path root) {
    List<String> expressions = new ArrayList<>();
    for (Path file : ruleFiles(root)) {
      for (JsonNode group : readJson(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          if (rule.has("record")) {
            expressions.add(rule.path("expr").asText());
          }
        }
      }
    }
    return expressions;
  }

  /** Names recording rules make: Prometheus writes them, no service exports them. */
  static Set<String> recordedNames(Path root) {
    Set<String> names = new TreeSet<>();
    for (Path file : ruleFiles(root)) {
      for (JsonNode group : readJson(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          if (rule.has("record")) {
            names.add(rule.path("record").asText());
          }
        }
      }
    }
    return names;
  }

  /**
   * The PromQL of a dashboard: every panel's (and row's) targets' {@code expr}, and the queries of
   * its template variables ({@code label_values(metric, label)}: the metric).
   */
  static List<String> dashboardExpressions(JsonNode dashboard) {
    List<String> expressions = new ArrayList<>();
    collectExpr(dashboard, expressions);
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      JsonNode query = variable.path("query");
      String text = query.isTextual() ? query.asText() : query.path("query").asText("");
      String trimmed = text.trim();
      if (trimmed.startsWith("label_values(")) {
        String inside = trimmed.substring("label_values(".length(), trimmed.lastIndexOf(')'));
        int comma = lastTopLevelComma(inside);
        // label_values(label) names no metric; label_values(expr, label) reads expr.
        if (comma >= 0) {
          expressions.add(inside.substring(0, comma));
        }
      } else if (trimmed.startsWith("query_result(")) {
        expressions.add(trimmed.substring("query_result(".length(), trimmed.lastIndexOf(')')));
      }
    }
    return expressions;
  }

  private static int lastTopLevelComma(String text) {
    int depth = 0;
    int last = -1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(' || c == '{' || c == '[') {
        depth++;
      } else if (c == ')' || c == '}' || c == ']') {
        depth--;
      } else if (c == ',' && depth == 0) {
        last = i;
      }
    }
    return last;
  }

  private static void collectExpr(JsonNode node, List<String> into) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              field -> {
                if (field.getKey().equals("expr") && field.getValue().isTextual()) {
                  into.add(field.getValue().asText());
                } else {
                  collectExpr(field.getValue(), into);
                }
              });
    } else if (node.isArray()) {
      node.forEach(child -> collectExpr(child, into));
    }
  }

  /**
   * The metric names a PromQL expression reads: identifiers that are not functions or aggregations
   * (followed by a parenthesis), keywords, label names (in selectors and grouping clauses) or
   * Grafana's variables; plus names selected with {@code __name__="..."}.
   */
  static Set<String> metricNames(String promql) {
    Set<String> names = new TreeSet<>();
    Matcher byName = NAME_MATCHER.matcher(promql);
    while (byName.find()) {
      names.add(byName.group(1));
    }
    String text = GRAFANA_VARIABLE.matcher(promql).replaceAll(" ");
    text = STRING.matcher(text).replaceAll(" ");
    text = SELECTOR.matcher(text).replaceAll(" ");
    text = RANGE.matcher(text).replaceAll(" ");
    text = GROUPING.matcher(text).replaceAll(" ");
    text = OFFSET.matcher(text).replaceAll(" ");
    Matcher identifier = IDENTIFIER.matcher(text);
    while (identifier.find()) {
      String name = identifier.group(1);
      boolean call = identifier.group(2) != null;
      if (call || KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        continue;
      }
      if (identifier.start() > 0 && Character.isDigit(text.charAt(identifier.start() - 1))) {
        continue; // the unit of a number or duration (5m, 1e3)
      }
      names.add(name);
    }
    return names;
  }

  /** Whether a name comes from an exporter other than our services, or from Prometheus. */
  static boolean standard(String name) {
    return STANDARD_NAMES.contains(name) || STANDARD_PREFIXES.stream().anyMatch(name::startsWith);
  }

  /**
   * The sample names and families of a Prometheus text exposition: a histogram's family {@code x}
   * is listed with {@code x_bucket}, {@code x_sum} and {@code x_count}.
   */
  static Set<String> exportedNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.startsWith("# TYPE ") || line.startsWith("# HELP ")) {
        names.add(line.split(" ")[2]);
      } else if (!line.isBlank() && !line.startsWith("#")) {
        int end = line.indexOf('{');
        if (end < 0) {
          end = line.indexOf(' ');
        }
        names.add(line.substring(0, end));
      }
    }
    return names;
  }

  /** Whether {@code name} (a sample name, or a histogram or summary's family) is exported. */
  static boolean exported(String name, Set<String> exported) {
    if (exported.contains(name)) {
      return true;
    }
    for (String suffix : List.of("_bucket", "_sum", "_count", "_total", "_created")) {
      if (name.endsWith(suffix)
          && exported.contains(name.substring(0, name.length() - suffix.length()))) {
        return true;
      }
    }
    return false;
  }
}
