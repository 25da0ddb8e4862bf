package io.janus.jobs.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.janus.engine.flink.backfill.BackfillResult;
import io.janus.engine.flink.ingest.IngestResult;
import io.janus.engine.flink.parity.KeyCheck;
import io.janus.engine.flink.parity.ParityReport;
import io.janus.engine.flink.sync.SyncResult;
import io.janus.engine.iceberg.audit.AuditCheck;
import io.janus.engine.iceberg.audit.ColumnStats;
import io.janus.monitoring.RunMetrics;
import io.janus.monitoring.notify.Notification;
import java.time.Instant;
import java.util.List;

/**
 * What batch commands report beyond their output: the Prometheus figures they push when a
 * Pushgateway is configured, and the notifications of an audit that rejected a backfill or a failed
 * parity check.
 */
final class RunFigures {
  private RunFigures() {}

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  static RunMetrics backfill(BackfillResult r) {
    RunMetrics m =
        RunMetrics.of("janus_backfill", "group", r.report().group())
            .counter(
                "janus_backfill_rows_written_total",
                "Feature rows the last backfill wrote to its audit branch.",
                r.rowsWritten())
            .gauge(
                "janus_backfill_audit_passed",
                "1 when the last backfill's audit passed, else 0.",
                r.report().passed() ? 1 : 0)
            .gauge(
                "janus_backfill_audit_failed_checks",
                "Audit checks the last backfill failed.",
                r.report().failures().size())
            .gauge(
                "janus_backfill_audit_rows",
                "Rows in the audited range on the branch.",
                r.report().rows())
            .gauge(
                "janus_backfill_audit_keys",
                "Distinct entity keys in the audited range.",
                r.report().keys())
            .gauge(
                "janus_backfill_published",
                "1 when the last backfill reached main, else 0.",
                r.published() ? 1 : 0)
            .gauge(
                "janus_backfill_compute_seconds",
                "Wall time of the last backfill's Flink job.",
                r.computeMillis() / 1000.0)
            .gauge(
                "janus_backfill_duration_seconds",
                "Wall time of the last backfill: compute, audit, publish.",
                r.totalMillis() / 1000.0)
            .gauge(
                "janus_backfill_last_run_timestamp_seconds",
                "When the last backfill ended.",
                now());
    for (ColumnStats c : r.report().columns()) {
      m.gauge(
          "janus_backfill_audit_null_ratio",
          "Null rate of a feature column in the audited range.",
          "column",
          c.column(),
          c.nullRate());
    }
    if (r.published()) {
      m.gauge(
              "janus_backfill_publish_latency_seconds",
              "From the start of the last published backfill until main held its rows.",
              r.totalMillis() / 1000.0)
          .gauge(
              "janus_backfill_last_publish_timestamp_seconds",
              "When a backfill last reached main.",
              now());
    }
    return m;
  }

  /**
   * The details of a rejected backfill's notification.
   *
   * @param report the JSON audit report, absolute (absent when none was written)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record AuditRejected(
      String runId,
      String branch,
      String range,
      long rows,
      List<String> failures,
      @JsonInclude(JsonInclude.Include.NON_NULL) String report) {}

  /** The notification of a rejected backfill (its audit failed; main was not touched). */
  static Notification auditRejected(BackfillResult r) {
    AuditRejected d =
        new AuditRejected(
            r.runId(),
            r.branch(),
            r.range(),
            r.report().rows(),
            r.report().failures().stream().map(AuditCheck::message).toList(),
            r.reportFile() == null ? null : r.reportFile().toAbsolutePath().toString());
    return new Notification(
        Notification.AUDIT_REJECTED,
        r.report().group(),
        "backfill "
            + r.report().group()
            + " "
            + d.range()
            + " rejected by its audit ("
            + d.failures().size()
            + " failed check(s)); main untouched, branch "
            + r.branch()
            + " kept",
        d,
        Instant.now());
  }

  /** The details of a failed parity check's notification. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record ParityFailed(
      long snapshotId,
      long checked,
      double mismatchRate,
      double maxMismatchRate,
      ParityReport.StatusCounts counts,
      List<String> worstKeys) {}

  /** The notification of a parity check above its mismatch threshold. */
  static Notification parityFailed(ParityReport r) {
    ParityFailed d =
        new ParityFailed(
            r.snapshotId(),
            r.checked(),
            r.mismatchRate(),
            r.maxMismatchRate(),
            r.statusCounts(),
            r.worst().stream().limit(10).map(ParityReport.Example::key).toList());
    return new Notification(
        Notification.PARITY_FAILED,
        r.group(),
        String.format(
            "parity of %s failed: %.2f%% of %d checked keys differ (allowed %.2f%%)",
            r.group(), 100 * r.mismatchRate(), r.checked(), 100 * r.maxMismatchRate()),
        d,
        Instant.now());
  }

  static RunMetrics ingest(String source, IngestResult r) {
    return RunMetrics.of("janus_ingest", "source", source)
        .counter(
            "janus_ingest_events_total",
            "Events the last ingest appended to the raw table.",
            r.events())
        .counter(
            "janus_ingest_events_malformed_total",
            "Lines the last ingest sent to dead letters.",
            r.malformed())
        .gauge(
            "janus_ingest_duration_seconds", "Wall time of the last ingest.", r.millis() / 1000.0)
        .gauge("janus_ingest_last_run_timestamp_seconds", "When the last ingest ended.", now());
  }

  static RunMetrics sync(SyncResult r) {
    return RunMetrics.of("janus_sync", "group", r.group())
        .counter("janus_sync_rows_read_total", "Offline rows the last sync read.", r.rowsRead())
        .counter(
            "janus_sync_keys_written_total",
            "Keys the last sync wrote to the online store.",
            r.keysWritten())
        .counter(
            "janus_sync_keys_skipped_by_guard_total",
            "Writes of the last sync the guard refused (the store held newer values).",
            r.skippedByGuard())
        .counter(
            "janus_sync_keys_removed_total",
            "Keys the last sync removed (their offline rows were withdrawn).",
            r.keysRemoved())
        .gauge(
            "janus_sync_snapshots_read",
            "Snapshots of main the last sync caught up with.",
            r.snapshotsRead())
        .gauge("janus_sync_duration_seconds", "Wall time of the last sync.", r.millis() / 1000.0)
        .gauge(
            "janus_sync_last_success_timestamp_seconds",
            "When a sync last brought the online store up to main.",
            now());
  }

  static RunMetrics parity(ParityReport r) {
    RunMetrics m =
        RunMetrics.of("janus_parity", "group", r.group())
            .gauge("janus_parity_checked_keys", "Keys the last parity check compared.", r.checked())
            .gauge(
                "janus_parity_mismatch_ratio",
                "Share of checked keys that did not match in the last parity check.",
                r.mismatchRate())
            .gauge(
                "janus_parity_passed",
                "1 when the last parity check was within its threshold, else 0.",
                r.passed() ? 1 : 0)
            .gauge(
                "janus_parity_duration_seconds",
                "Wall time of the last parity check.",
                r.millis() / 1000.0)
            .gauge(
                "janus_parity_last_run_timestamp_seconds",
                "When the last parity check ended.",
                now());
    for (KeyCheck.Status s : KeyCheck.Status.values()) {
      m.gauge(
          "janus_parity_keys",
          "Keys of the last parity check by outcome.",
          "status",
          s.name().toLowerCase(),
          r.count(s));
    }
    return m;
  }

  static RunMetrics consistency(io.janus.engine.flink.served.ConsistencyReport r) {
    RunMetrics m =
        RunMetrics.of("janus_consistency", "group", r.group())
            .gauge(
                "janus_consistency_served_values",
                "Served values the last consistency check compared.",
                r.served())
            .gauge(
                "janus_consistency_mismatch_ratio",
                "Share of served values that differed from the same offline row in the last consistency check.",
                r.mismatchRate())
            .gauge(
                "janus_consistency_different_ratio",
                "Share of served values with a number different from what training would have read.",
                r.differentRate())
            .gauge(
                "janus_consistency_stale_ratio",
                "Share of served values older than the offline row valid when they were served.",
                r.staleRate())
            .gauge(
                "janus_consistency_passed",
                "1 when the last consistency check was within its threshold, else 0.",
                r.passed() ? 1 : 0)
            .gauge(
                "janus_consistency_last_run_timestamp_seconds",
                "When the last consistency check ended.",
                now());
    for (io.janus.engine.flink.served.ServedCheck.Status s :
        io.janus.engine.flink.served.ServedCheck.Status.values()) {
      m.gauge(
          "janus_consistency_values",
          "Served values of the last consistency check by outcome.",
          "status",
          s.label(),
          r.count(s));
    }
    return m;
  }
}
