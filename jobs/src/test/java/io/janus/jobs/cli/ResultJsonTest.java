package io.janus.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.flink.backfill.BackfillResult;
import io.janus.engine.flink.ingest.IngestResult;
import io.janus.engine.flink.parity.KeyCheck;
import io.janus.engine.flink.parity.ParityReport;
import io.janus.engine.flink.stream.StreamJob;
import io.janus.engine.flink.sync.SyncResult;
import io.janus.engine.iceberg.audit.AuditCheck;
import io.janus.engine.iceberg.audit.AuditReport;
import io.janus.engine.iceberg.audit.ColumnStats;
import io.janus.engine.iceberg.changes.SyncPlan;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code --json} lines and notification bodies are a contract read by other tools: every field
 * name, its order and its value format are pinned here, exactly as they were when each command
 * built its map by hand.
 */
class ResultJsonTest {
  static final AuditReport REPORT =
      new AuditReport(
          "g",
          "r1",
          "audit-r1",
          7L,
          "2026-11-01",
          "2026-11-02",
          10,
          4,
          9,
          List.of(new ColumnStats("views", 1, 0.1, 0.0, 3.0)),
          List.of(
              new AuditCheck(
                  "range", "views", AuditCheck.Status.FAIL, 5.0, "[0, 3]", "views above 3"),
              new AuditCheck("drift", "views", AuditCheck.Status.WARN, 0.2, "0.1", "drift 0.2")),
          false);

  static final BackfillResult BACKFILL =
      new BackfillResult(
          "r1",
          "audit-r1",
          10,
          REPORT,
          Path.of("/tmp/r.json"),
          false,
          "none",
          null,
          1500,
          2500,
          "rejected");

  static ParityReport parity() {
    Map<KeyCheck.Status, Long> counts = new EnumMap<>(KeyCheck.Status.class);
    counts.put(KeyCheck.Status.MATCHED, 8L);
    counts.put(KeyCheck.Status.MISMATCHED, 1L);
    counts.put(KeyCheck.Status.EXPIRED, 2L);
    Map<String, ParityReport.FeatureTally> f = new LinkedHashMap<>();
    f.put("views", new ParityReport.FeatureTally(9, 1));
    return new ParityReport(
        "g",
        7,
        null,
        counts,
        f,
        List.of(
            new ParityReport.Example(
                "u1", KeyCheck.Status.MISMATCHED, "views", "2", "1", 1000, -1, 1.0),
            new ParityReport.Example(
                "u2", KeyCheck.Status.MISSING_ONLINE, null, null, "1", -1, 2000, Double.NaN)),
        0.01,
        99);
  }

  @Test
  void backfill() {
    assertThat(Json.line(BACKFILL))
        .isEqualTo(
            "{\"run_id\":\"r1\",\"group\":\"g\",\"range\":\"2026-11-01..2026-11-02\",\"branch\":\"audit-r1\","
                + "\"rows_written\":10,\"keys\":4,\"audit_passed\":false,\"audit_failures\":[\"views above 3\"],"
                + "\"audit_warnings\":[\"drift 0.2\"],\"published\":false,\"publish_mode\":\"none\","
                + "\"main_snapshot_id\":null,\"report\":\"/tmp/r.json\",\"compute_seconds\":1.5,"
                + "\"total_seconds\":2.5,\"message\":\"rejected\"}");
  }

  @Test
  void sync() {
    SyncResult s =
        new SyncResult(
            "g",
            new SyncPlan(
                SyncPlan.Mode.INCREMENTAL, 1L, 3L, 2, List.of("2026-11-01"), 3, 1, null, null),
            100,
            40,
            2,
            1,
            5,
            0,
            1,
            7,
            1234);
    assertThat(Json.line(s))
        .isEqualTo(
            "{\"group\":\"g\",\"mode\":\"incremental\",\"from_snapshot\":1,\"to_snapshot\":3,"
                + "\"snapshots_read\":2,\"changed_days\":[\"2026-11-01\"],\"files_added\":3,\"files_removed\":1,"
                + "\"rows_read\":100,\"keys_written\":40,\"skipped_by_guard\":2,\"keys_removed\":1,"
                + "\"keys_unchanged\":5,\"keys_expired\":0,\"keys_corrected\":1,\"rows_deferred\":7,\"due_from\":null,\"millis\":1234,"
                + "\"warning\":null}");
  }

  @Test
  void parityReport() {
    assertThat(Json.line(parity()))
        .isEqualTo(
            "{\"group\":\"g\",\"snapshot_id\":7,\"sample\":\"all\",\"checked\":9,\"matched\":8,\"mismatched\":1,"
                + "\"missing_online\":0,\"missing_offline\":0,\"stale\":0,\"expired\":2,"
                + "\"mismatch_rate\":0.1111111111111111,\"max_mismatch_rate\":0.01,\"passed\":false,"
                + "\"features\":{\"views\":{\"compared\":9,\"mismatched\":1,\"mismatch_rate\":0.1111111111111111}},"
                + "\"worst\":[{\"key\":\"u1\",\"status\":\"mismatched\",\"feature\":\"views\",\"online\":\"2\","
                + "\"offline\":\"1\",\"online_valid_from\":\"1970-01-01T00:00:01Z\",\"offline_valid_from\":null,"
                + "\"difference\":1.0},{\"key\":\"u2\",\"status\":\"missing_online\",\"feature\":null,"
                + "\"online\":null,\"offline\":\"1\",\"online_valid_from\":null,"
                + "\"offline_valid_from\":\"1970-01-01T00:00:02Z\",\"difference\":\"NaN\"}],\"millis\":99}");
  }

  @Test
  void aSampledParityReportNamesItsSize() {
    ParityReport p = parity();
    ParityReport sampled =
        new ParityReport(
            p.group(),
            p.snapshotId(),
            500,
            p.counts(),
            p.features(),
            List.of(),
            p.maxMismatchRate(),
            p.millis());
    assertThat(Json.line(sampled)).contains("\"sample\":500,");
  }

  @Test
  void ingestAndStream() {
    assertThat(
            Json.line(
                new IngestResult("r2", "clickstream", Path.of("/data/e.jsonl"), 100, 2, 3, 2500)))
        .isEqualTo(
            "{\"run_id\":\"r2\",\"source\":\"clickstream\",\"file\":\"/data/e.jsonl\",\"events\":100,"
                + "\"malformed\":2,\"duplicates\":3,\"seconds\":2.5}");
    assertThat(
            Json.line(
                new StreamJob.Result(
                    "r3",
                    List.of("g", "h"),
                    "kafka:events",
                    100,
                    4,
                    5,
                    2,
                    3,
                    6,
                    7,
                    "file:/cp/chk-3",
                    "00000000000000000000000000000001",
                    false,
                    1250)))
        .isEqualTo(
            "{\"run_id\":\"r3\",\"group\":\"g,h\",\"groups\":[\"g\",\"h\"],"
                + "\"source\":\"kafka:events\",\"events\":100,\"duplicates\":4,"
                + "\"already_stored\":5,\"malformed\":2,\"late\":3,\"deferred\":6,\"replayed\":7,"
                + "\"restored_from\":\"file:/cp/chk-3\","
                + "\"job_id\":\"00000000000000000000000000000001\",\"detached\":false,"
                + "\"seconds\":1.25}");
  }

  @Test
  void notifications() {
    assertThat(withoutTime(RunFigures.parityFailed(parity()).toJson()))
        .isEqualTo(
            "{\"kind\":\"parity_failed\",\"group\":\"g\",\"summary\":\"parity of g failed: 11.11% of 9 checked"
                + " keys differ (allowed 1.00%)\",\"at\":\"T\",\"details\":{\"snapshot_id\":7,\"checked\":9,"
                + "\"mismatch_rate\":0.1111111111111111,\"max_mismatch_rate\":0.01,\"counts\":{\"matched\":8,"
                + "\"mismatched\":1,\"missing_online\":0,\"missing_offline\":0,\"stale\":0,\"expired\":2},"
                + "\"worst_keys\":[\"u1\",\"u2\"]}}");
    assertThat(withoutTime(RunFigures.auditRejected(BACKFILL).toJson()))
        .isEqualTo(
            "{\"kind\":\"audit_rejected\",\"group\":\"g\",\"summary\":\"backfill g 2026-11-01..2026-11-02"
                + " rejected by its audit (1 failed check(s)); main untouched, branch audit-r1 kept\","
                + "\"at\":\"T\",\"details\":{\"run_id\":\"r1\",\"branch\":\"audit-r1\","
                + "\"range\":\"2026-11-01..2026-11-02\",\"rows\":10,\"failures\":[\"views above 3\"],"
                + "\"report\":\"/tmp/r.json\"}}");
    BackfillResult noFile =
        new BackfillResult(
            "r1", "audit-r1", 10, REPORT, null, false, "none", null, 1500, 2500, "rejected");
    assertThat(RunFigures.auditRejected(noFile).toJson()).doesNotContain("\"report\"");
  }

  private static String withoutTime(String json) {
    assertThat(json)
        .containsPattern("\"at\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z\"");
    return json.replaceFirst("\"at\":\"[^\"]+\"", "\"at\":\"T\"");
  }
}
