package io.janus.engine.flink.backfill;

import static io.janus.engine.core.testing.TestGroups.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.testing.Reference;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.flink.testing.Flink;
import io.janus.engine.flink.testing.ListEventSource;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.audit.AuditLog;
import io.janus.engine.iceberg.lineage.Lineage;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.ValidationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Write-Audit-Publish backfills on a real Iceberg warehouse and a Flink MiniCluster. */
class BackfillITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  static final String GROUP_YAML = TestGroups.ACTIVITY_YAML;
  static final FeatureGroup GROUP = TestGroups.group(GROUP_YAML);

  @TempDir Path dir;
  Warehouse warehouse;

  @BeforeEach
  void setUp() {
    warehouse = Warehouse.local(dir.resolve("warehouse"));
  }

  static List<Event> events(int n, long seed, String... days) {
    return TestGroups.randomEvents(n, seed, 25, days);
  }

  BackfillResult backfill(
      FeatureGroup g, List<Event> events, String start, String end, boolean publish)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    Backfill b =
        Backfill.of(warehouse, g, new ListEventSource(events))
            .withRange(LocalDate.parse(start), LocalDate.parse(end))
            .withReportDir(dir.resolve("reports"));
    return (publish ? b : b.auditOnly()).run(env);
  }

  List<Reference.Row> mainRows(Long snapshot) {
    List<Reference.Row> out = new ArrayList<>();
    for (Map<String, Object> m : new OfflineReader(warehouse, GROUP).rows(null, snapshot)) {
      out.add(
          new Reference.Row(
              (String) m.get("user"),
              ((Instant) m.get("valid_from")).toEpochMilli(),
              Arrays.asList(
                  m.get("views_5m"), m.get("buys_1h"), m.get("spend_1h"), m.get("cr_1h"))));
    }
    return out;
  }

  static List<Reference.Row> expected(List<Event> events, String start, String end) {
    long s = Instant.parse(start + "T00:00:00Z").toEpochMilli();
    long e = Instant.parse(LocalDate.parse(end).plusDays(1) + "T00:00:00Z").toEpochMilli();
    return Reference.rows(GROUP, events).stream()
        .filter(r -> r.validFrom() >= s && r.validFrom() < e)
        .toList();
  }

  @Test
  void publishesExactlyTheRangeWithLineage() throws Exception {
    List<Event> events = events(3000, 1, "2024-01-01", "2024-01-02", "2024-01-03");
    BackfillResult r = backfill(GROUP, events, "2024-01-02", "2024-01-03", true);

    assertThat(r.published()).isTrue();
    assertThat(r.publishMode()).isEqualTo("fast-forward");
    assertThat(r.report().passed()).isTrue();
    List<Reference.Row> expected = expected(events, "2024-01-02", "2024-01-03");
    assertThat(r.rowsWritten()).isEqualTo(expected.size());
    assertThat(mainRows(null)).containsExactlyInAnyOrderElementsOf(expected);
    // Rows right after midnight of the first day depend on events of the day before.
    assertThat(expected)
        .anyMatch(
            row ->
                row.validFrom() < Instant.parse("2024-01-02T00:10:00Z").toEpochMilli()
                    && (Long) row.values().get(1) > 0);

    Table table = warehouse.load(FeatureTables.id(GROUP));
    assertThat(table.refs()).containsOnlyKeys("main");
    for (Snapshot s : table.snapshots()) {
      assertThat(s.summary())
          .containsEntry(Lineage.RUN_ID, r.runId())
          .containsEntry(Lineage.DEFINITION, "activity:1")
          .containsEntry(Lineage.FINGERPRINT, GROUP.fingerprint())
          .containsEntry(Lineage.RANGE, "2024-01-02..2024-01-03")
          .containsKeys(
              Lineage.GIT_COMMIT, Lineage.GIT_DIRTY, Lineage.USER, Lineage.ENGINE_VERSION);
    }
    assertThat(AuditLog.byRunId(warehouse, "activity").get(r.runId()).getField("published"))
        .isEqualTo(true);
    assertThat(r.reportFile()).exists();

    // Auditing main again by reading the key columns agrees with the figures the job measured.
    var reread =
        new io.janus.engine.iceberg.audit.Auditor(GROUP)
            .audit(
                table,
                "re-audit",
                "main",
                table.currentSnapshot().snapshotId(),
                null,
                LocalDate.parse("2024-01-02"),
                LocalDate.parse("2024-01-03"),
                null);
    assertThat(reread.passed()).isTrue();
    assertThat(reread.rows()).isEqualTo(r.report().rows());
    assertThat(reread.keys()).isEqualTo(r.report().keys());
    assertThat(reread.columns()).isEqualTo(r.report().columns());
  }

  @Test
  void aRunIdIsUsedOnce() throws Exception {
    List<Event> events = events(500, 5, "2024-01-01");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    Backfill b =
        Backfill.of(warehouse, GROUP, new ListEventSource(events))
            .withRange(LocalDate.parse("2024-01-01"), LocalDate.parse("2024-01-01"))
            .withReportDir(dir.resolve("reports"))
            .withRunId("nightly-2024-01-01");
    assertThat(b.run(env).published()).isTrue();
    long main = warehouse.load(FeatureTables.id(GROUP)).currentSnapshot().snapshotId();
    assertThatThrownBy(() -> b.run(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "run id nightly-2024-01-01 was already used by a backfill of "
                + GROUP.name()
                + " (see janus.audit_log): a run id is used once; leave --run-id out for a new one");
    assertThat(warehouse.load(FeatureTables.id(GROUP)).currentSnapshot().snapshotId())
        .isEqualTo(main);
  }

  @Test
  void aDayMissingFromTheRawTableFailsMinRowsPerDayAndIsReported() throws Exception {
    FeatureGroup g =
        TestGroups.group(
            GROUP_YAML.replace("  min_rows: 1\n", "  min_rows: 1\n  min_rows_per_day: 200\n"));
    assertThat(g.audit().minRowsPerDay()).isEqualTo(200L);
    // Events of the 1st and the 3rd: the 2nd was never ingested.
    List<Event> events = events(2000, 9, "2024-01-01", "2024-01-03");
    BackfillResult r = backfill(g, events, "2024-01-01", "2024-01-04", true);

    assertThat(r.published()).isFalse();
    assertThat(r.report().failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo("min_rows_per_day");
              assertThat(f.message()).startsWith("2024-01-02 has ").contains("need at least 200");
              assertThat(f.message()).endsWith("(the raw table has no events that day)");
            });
    // The 4th is past the raw table's last day: not held to the rule.
    assertThat(r.report().checks())
        .filteredOn(c -> c.rule().equals("min_rows_per_day"))
        .extracting(c -> c.column())
        .containsExactly("2024-01-01", "2024-01-02", "2024-01-03");
    assertThat(r.report().warnings())
        .anySatisfy(
            w -> assertThat(w.message()).startsWith("the raw table has no events on 2024-01-02"));
    assertThat(warehouse.load(FeatureTables.id(g)).currentSnapshot()).isNull();
  }

  @Test
  void rerunIsIdempotentAndReplacesDaysThatNoLongerHaveRows() throws Exception {
    List<Event> events = events(2000, 2, "2024-01-01", "2024-01-02");
    backfill(GROUP, events, "2024-01-01", "2024-01-02", true);
    List<Reference.Row> first = mainRows(null);
    BackfillResult again = backfill(GROUP, events, "2024-01-01", "2024-01-02", true);
    assertThat(again.published()).isTrue();
    assertThat(mainRows(null)).containsExactlyInAnyOrderElementsOf(first);

    // Day 2's events are gone from the source (e.g. found to be bots): its partition must empty.
    List<Event> dayOneNoon =
        events.stream()
            .filter(e -> e.ts < Instant.parse("2024-01-01T12:00:00Z").toEpochMilli())
            .toList();
    backfill(GROUP, dayOneNoon, "2024-01-01", "2024-01-02", true);
    assertThat(mainRows(null))
        .isNotEmpty()
        .allMatch(row -> row.validFrom() < Instant.parse("2024-01-01T14:00:00Z").toEpochMilli());
    assertThat(mainRows(null))
        .containsExactlyInAnyOrderElementsOf(expected(dayOneNoon, "2024-01-01", "2024-01-02"));
  }

  @Test
  void rejectedAuditLeavesMainUntouchedAndKeepsTheBranch() throws Exception {
    List<Event> events = events(1000, 3, "2024-01-01");
    backfill(GROUP, events, "2024-01-01", "2024-01-01", true);
    Table table = warehouse.load(FeatureTables.id(GROUP));
    long mainBefore = table.currentSnapshot().snapshotId();
    List<Reference.Row> rowsBefore = mainRows(null);

    FeatureGroup strict =
        TestGroups.group(GROUP_YAML.replace("min_rows: 1", "min_rows: 100000000"));
    BackfillResult r =
        backfill(strict, events(1000, 4, "2024-01-01"), "2024-01-01", "2024-01-01", true);

    assertThat(r.published()).isFalse();
    assertThat(r.report().passed()).isFalse();
    assertThat(r.report().failures()).extracting(c -> c.rule()).containsExactly("min_rows");
    assertThat(r.message()).contains("audit failed").contains("main untouched");
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(mainBefore);
    assertThat(mainRows(null)).containsExactlyInAnyOrderElementsOf(rowsBefore);
    assertThat(table.refs()).containsKey(r.branch());
    assertThat(AuditLog.byRunId(warehouse, "activity").get(r.runId()).getField("passed"))
        .isEqualTo(false);
  }

  @Test
  void timeTravelReadsThePreviousState() throws Exception {
    List<Event> v1 = events(800, 5, "2024-01-01");
    backfill(GROUP, v1, "2024-01-01", "2024-01-01", true);
    OfflineReader reader = new OfflineReader(warehouse, GROUP);
    long firstSnapshot = reader.currentSnapshot();
    List<Reference.Row> firstRows = mainRows(null);
    long publishedAt = warehouse.load(FeatureTables.id(GROUP)).history().get(0).timestampMillis();
    Thread.sleep(5);

    backfill(GROUP, events(900, 6, "2024-01-01"), "2024-01-01", "2024-01-01", true);
    assertThat(mainRows(null)).isNotEqualTo(firstRows);
    assertThat(mainRows(firstSnapshot)).containsExactlyInAnyOrderElementsOf(firstRows);
    OfflineReader again = new OfflineReader(warehouse, GROUP);
    assertThat(again.snapshotAsOf(publishedAt)).isEqualTo(firstSnapshot);
  }

  @Test
  void pointInTimeLookupNeverSeesTheFutureAndHonoursTtl() throws Exception {
    List<Event> events =
        List.of(
            event("a", "2024-01-01T10:00:00Z", "u1", "view", null, null),
            event("b", "2024-01-01T10:02:00Z", "u1", "view", null, null));
    backfill(GROUP, events, "2024-01-01", "2024-01-03", true);
    OfflineReader reader = new OfflineReader(warehouse, GROUP);
    assertThat(reader.lookup("u1", Instant.parse("2024-01-01T09:59:59Z"), null)).isNull();
    assertThat(reader.lookup("u1", Instant.parse("2024-01-01T10:01:00Z"), null))
        .containsEntry("views_5m", 1L);
    assertThat(reader.lookup("u1", Instant.parse("2024-01-01T10:02:00Z"), null))
        .containsEntry("views_5m", 2L);
    assertThat(reader.lookup("u1", Instant.parse("2024-01-01T10:07:30Z"), null))
        .containsEntry("views_5m", 0L);
    // The empty row written at 10:08 is older than the 1 d TTL two days later.
    assertThat(reader.lookup("u1", Instant.parse("2024-01-03T10:09:00Z"), null)).isNull();
  }

  @Test
  void concurrentPublishOfOtherDaysIsRebasedOverlappingDaysFail() throws Exception {
    List<Event> events = events(1500, 7, "2024-01-01", "2024-01-02", "2024-01-03");
    BackfillResult kept = backfill(GROUP, events, "2024-01-01", "2024-01-01", false);
    assertThat(kept.published()).isFalse();
    backfill(GROUP, events, "2024-01-03", "2024-01-03", true); // main moves meanwhile

    assertThat(Backfill.publishKept(warehouse, GROUP, kept.runId())).isEqualTo("rebase");
    List<Reference.Row> both = new ArrayList<>(expected(events, "2024-01-01", "2024-01-01"));
    both.addAll(expected(events, "2024-01-03", "2024-01-03"));
    assertThat(mainRows(null)).containsExactlyInAnyOrderElementsOf(both);

    BackfillResult overlapping = backfill(GROUP, events, "2024-01-02", "2024-01-03", false);
    backfill(GROUP, events, "2024-01-03", "2024-01-03", true);
    List<Reference.Row> before = mainRows(null);
    assertThatThrownBy(() -> Backfill.publishKept(warehouse, GROUP, overlapping.runId()))
        .isInstanceOf(ValidationException.class);
    assertThat(mainRows(null)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(warehouse.load(FeatureTables.id(GROUP)).refs()).containsKey(overlapping.branch());
  }

  @Test
  void addedFeatureEvolvesTheTableAndLandsInItsColumn() throws Exception {
    List<Event> events = events(600, 8, "2024-01-01");
    backfill(GROUP, events, "2024-01-01", "2024-01-01", true);
    FeatureGroup v2 =
        TestGroups.group(
            GROUP_YAML
                .replace("version: 1", "version: 2")
                .replace(
                    "  - {name: cr_1h,",
                    "  - {name: clicks_1h, agg: count, where: \"kind == 'click'\", window: 1h}\n  - {name: cr_1h,"));
    BackfillResult r = backfill(v2, events, "2024-01-01", "2024-01-01", true);
    assertThat(r.published()).isTrue();
    Table table = warehouse.load(FeatureTables.id(GROUP));
    assertThat(table.schema().columns().get(table.schema().columns().size() - 1).name())
        .isEqualTo("clicks_1h");
    List<Map<String, Object>> rows = new OfflineReader(warehouse, v2).rows(null, null);
    long dayEnd = Instant.parse("2024-01-02T00:00:00Z").toEpochMilli();
    List<Reference.Row> expected =
        Reference.rows(v2, events).stream().filter(e -> e.validFrom() < dayEnd).toList();
    assertThat(rows).hasSize(expected.size());
    Map<String, Object> last = rows.get(rows.size() - 1);
    Reference.Row lastExpected =
        expected.stream()
            .filter(e -> e.key().equals(last.get("user")))
            .filter(e -> e.validFrom() == ((Instant) last.get("valid_from")).toEpochMilli())
            .findFirst()
            .orElseThrow();
    assertThat(
            Arrays.asList(
                last.get("views_5m"),
                last.get("buys_1h"),
                last.get("spend_1h"),
                last.get("clicks_1h"),
                last.get("cr_1h")))
        .isEqualTo(lastExpected.values());
    assertThat(rows).anyMatch(m -> ((Long) m.get("clicks_1h")) > 0);
  }

  @Test
  void auditReadsColumnsWhoseMetricsAreMissing() throws Exception {
    List<Event> events = events(800, 9, "2024-01-01");
    backfill(GROUP, events, "2024-01-01", "2024-01-01", true);
    Table table = warehouse.load(FeatureTables.id(GROUP));
    table.updateProperties().set("write.metadata.metrics.column.views_5m", "none").commit();
    FeatureGroup strict =
        TestGroups.group(GROUP_YAML.replace("views_5m: [0, 1000]", "views_5m: [0, 1]"));
    BackfillResult r = backfill(strict, events, "2024-01-01", "2024-01-01", true);
    assertThat(r.report().failures()).extracting(c -> c.rule()).containsExactly("range");
    var views =
        r.report().columns().stream()
            .filter(c -> c.column().equals("views_5m"))
            .findFirst()
            .orElseThrow();
    long maxViews =
        expected(events, "2024-01-01", "2024-01-01").stream()
            .mapToLong(row -> (Long) row.values().get(0))
            .max()
            .orElseThrow();
    assertThat(views.max()).isEqualTo((double) maxViews);
    assertThat(r.report().rows()).isEqualTo(r.rowsWritten());
  }
}
