package io.janus.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus rules, their unit tests and the Grafana dashboards: valid for promtool, and using
 * only metrics Janus really exports ({@link MetricCatalog}) or Flink's own. promtool comes from
 * Debian's {@code prometheus} package, which {@code .ci/run} installs; without it the promtool
 * checks are skipped unless {@code JANUS_REQUIRE_PROMETHEUS_TOOLS=1}.
 */
class MonitoringFilesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PROMETHEUS = Path.of("prometheus").toAbsolutePath();
  private static final Path DASHBOARDS = Path.of("grafana", "dashboards").toAbsolutePath();
  private static final Pattern METRIC =
      Pattern.compile("(?<![\\w:\"])((?:janus|flink)_[A-Za-z0-9_]+)");
  private static final Pattern RECORDED = Pattern.compile("janus:[a-z0-9_:]+");

  /** Flink's own metrics the rules use (JobManager job scope). */
  private static final Set<String> FLINK =
      Set.of("flink_jobmanager_job_numRestarts", "flink_jobmanager_job_numberOfFailedCheckpoints");

  @TempDir Path tmp;

  record Rule(String name, String expr, JsonNode node) {}

  static List<Rule> rules(String file) throws IOException {
    List<Rule> rules = new ArrayList<>();
    for (JsonNode group :
        YAML.readTree(PROMETHEUS.resolve("rules").resolve(file).toFile()).get("groups")) {
      for (JsonNode r : group.get("rules")) {
        String name = r.has("alert") ? r.get("alert").asText() : r.get("record").asText();
        rules.add(new Rule(name, r.get("expr").asText(), r));
      }
    }
    return rules;
  }

  /** Every dashboard's PromQL, by dashboard file and panel title. */
  static Map<String, String> dashboardQueries() throws IOException {
    Map<String, String> queries = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      for (Path f : files.sorted().toList()) {
        JsonNode d = JSON.readTree(f.toFile());
        assertThat(d.get("uid").asText()).as(f.toString()).isNotBlank();
        assertThat(d.get("panels")).as(f + " panels").isNotEmpty();
        for (JsonNode p : d.get("panels")) {
          assertThat(p.get("targets")).as(f + ": " + p.get("title")).isNotEmpty();
          for (JsonNode t : p.get("targets")) {
            queries.put(
                f.getFileName() + ": " + p.get("title").asText() + " " + t.get("refId").asText(),
                t.get("expr").asText());
          }
        }
      }
    }
    return queries;
  }

  static void assertKnownMetrics(String where, String expr, Set<String> recorded) {
    Matcher m = METRIC.matcher(expr);
    while (m.find()) {
      String name = m.group(1);
      assertThat(MetricCatalog.contains(name) || FLINK.contains(name))
          .as(where + " uses " + name + ", which Janus does not export")
          .isTrue();
    }
    Matcher r = RECORDED.matcher(expr);
    while (r.find()) {
      assertThat(recorded).as(where + " uses recorded series " + r.group()).contains(r.group());
    }
  }

  @Test
  void rulesAndDashboardsUseOnlyMetricsJanusExports() throws IOException {
    Set<String> recorded = new TreeSet<>();
    rules("janus-recording.yml").forEach(r -> recorded.add(r.name()));
    for (Rule r : rules("janus-recording.yml")) assertKnownMetrics(r.name(), r.expr(), recorded);
    List<Rule> alerts = rules("janus-alerts.yml");
    for (Rule a : alerts) {
      assertKnownMetrics(a.name(), a.expr(), recorded);
      assertThat(a.node().at("/labels/severity").asText())
          .as(a.name() + " severity")
          .isIn("warning", "critical");
      assertThat(a.node().at("/annotations/summary").asText())
          .as(a.name() + " summary")
          .isNotBlank();
    }
    assertThat(alerts)
        .extracting(Rule::name)
        .contains(
            "JanusFeatureNullRateHigh",
            "JanusJobFailureSpike",
            "JanusOnlineStoreEmpty",
            "JanusParityMismatch",
            "JanusAuditRejected",
            "JanusOnlineSyncLagging",
            "JanusStreamingFreshnessHigh",
            "JanusCheckpointFailures");
    dashboardQueries().forEach((where, expr) -> assertKnownMetrics(where, expr, recorded));
  }

  @Test
  void theScrapeConfigRenamesOperatorMetricsAndLoadsTheRules() throws IOException {
    JsonNode config = YAML.readTree(PROMETHEUS.resolve("prometheus.yml").toFile());
    for (JsonNode f : config.get("rule_files")) assertThat(PROMETHEUS.resolve(f.asText())).exists();
    JsonNode relabel = config.at("/scrape_configs/0/metric_relabel_configs/0");
    String exported = "flink_taskmanager_job_task_operator_janus_" + MetricNames.ONLINE_WRITES;
    assertThat(exported).matches(relabel.get("regex").asText());
    // Prometheus' replacement syntax ($1) is Java's too.
    assertThat(
            exported.replaceAll(relabel.get("regex").asText(), relabel.get("replacement").asText()))
        .isEqualTo("janus_online_writes_total")
        .satisfies(n -> assertThat(MetricCatalog.contains(n)).isTrue());
  }

  @Test
  void pushedFiguresOutsideTheCatalogAreRefused() {
    assertThatThrownBy(
            () ->
                RunMetrics.of("janus_backfill", "group", "g")
                    .gauge("janus_backfill_something_new", "x", 1))
        .hasMessageContaining("MetricCatalog.PUSHED");
    assertThatThrownBy(
            () ->
                RunMetrics.of("janus_backfill", "group", "g")
                    .counter("janus_backfill_audit_rows", "x", 1))
        .hasMessageContaining("_total");
  }

  @Test
  void promtoolChecksTheRulesRunsTheirUnitTestsAndParsesEveryDashboardQuery() throws Exception {
    Path promtool = null;
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, "promtool"))) {
        promtool = Path.of(d, "promtool");
        break;
      }
    }
    if (promtool == null) {
      assertThat(System.getenv("JANUS_REQUIRE_PROMETHEUS_TOOLS"))
          .as("promtool is required here (apt-get install prometheus)")
          .isNotEqualTo("1");
      Assumptions.abort("promtool is not installed");
    }
    assertThat(
            promtool(
                promtool, "check", "rules", "rules/janus-recording.yml", "rules/janus-alerts.yml"))
        .contains("SUCCESS: 10 rules found");
    assertThat(promtool(promtool, "test", "rules", "tests/janus-alerts-test.yml"))
        .contains("SUCCESS");
    // Dashboard queries, as recording rules, so promtool parses their PromQL too ($group as a
    // regex).
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
    int i = 0;
    for (String expr : dashboardQueries().values()) {
      rules
          .append("      - record: dashboard_query_")
          .append(i++)
          .append("\n        expr: ")
          .append(JSON.writeValueAsString(expr.replace("$group", ".*")))
          .append('\n');
    }
    Path file = Files.writeString(tmp.resolve("dashboards.yml"), rules, StandardCharsets.UTF_8);
    assertThat(promtool(promtool, "check", "rules", file.toString()))
        .contains("SUCCESS: " + i + " rules found");
  }

  private static String promtool(Path promtool, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(promtool.toString()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd).directory(PROMETHEUS.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ":\n" + out).isZero();
    return out;
  }
}
