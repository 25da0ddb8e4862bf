package io.janus.monitoring;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every metric name Janus exports as Prometheus sees it, so alert rules, dashboards and the code
 * cannot drift apart: the operator metrics of the Flink jobs (after the scrape configuration
 * renames {@code flink_taskmanager_job_task_operator_janus_<name>} to {@code janus_<name>}) and the
 * figures batch commands push to the Pushgateway ({@link RunMetrics} refuses names not listed
 * here).
 */
public final class MetricCatalog {
  private MetricCatalog() {}

  /** Figures batch commands push, by name. */
  public static final List<String> PUSHED =
      List.of(
          "janus_backfill_rows_written_total",
          "janus_backfill_audit_passed",
          "janus_backfill_audit_failed_checks",
          "janus_backfill_audit_rows",
          "janus_backfill_audit_keys",
          "janus_backfill_audit_null_ratio",
          "janus_backfill_published",
          "janus_backfill_compute_seconds",
          "janus_backfill_duration_seconds",
          "janus_backfill_publish_latency_seconds",
          "janus_backfill_last_run_timestamp_seconds",
          "janus_backfill_last_publish_timestamp_seconds",
          "janus_ingest_events_total",
          "janus_ingest_events_malformed_total",
          "janus_ingest_duration_seconds",
          "janus_ingest_last_run_timestamp_seconds",
          "janus_sync_rows_read_total",
          "janus_sync_keys_written_total",
          "janus_sync_keys_skipped_by_guard_total",
          "janus_sync_keys_removed_total",
          "janus_sync_snapshots_read",
          "janus_sync_duration_seconds",
          "janus_sync_last_success_timestamp_seconds",
          "janus_parity_checked_keys",
          "janus_parity_mismatch_ratio",
          "janus_parity_passed",
          "janus_parity_keys",
          "janus_parity_duration_seconds",
          "janus_parity_last_run_timestamp_seconds",
          "janus_consistency_served_values",
          "janus_consistency_mismatch_ratio",
          "janus_consistency_different_ratio",
          "janus_consistency_stale_ratio",
          "janus_consistency_passed",
          "janus_consistency_values",
          "janus_consistency_last_run_timestamp_seconds");

  private static final List<String> OPERATOR = buildOperatorMetrics();

  /** Operator metrics of the Flink jobs, as renamed by the scrape configuration. */
  public static List<String> operatorMetrics() {
    return OPERATOR;
  }

  private static List<String> buildOperatorMetrics() {
    Set<String> names = new LinkedHashSet<>();
    for (String n :
        List.of(
            MetricNames.ROWS_WRITTEN,
            MetricNames.EVENTS_INGESTED,
            MetricNames.EVENTS_MALFORMED,
            MetricNames.ONLINE_WRITES,
            MetricNames.ONLINE_WRITES_STALE,
            MetricNames.ONLINE_RETRIES,
            MetricNames.EVENTS_LATE,
            MetricNames.ONLINE_ROWS_HELD)) {
      names.add("janus_" + n);
    }
    for (String h : List.of(MetricNames.ONLINE_WRITE_LATENCY, MetricNames.ONLINE_FRESHNESS)) {
      // Flink's reporter exports a histogram as a summary: quantiles, plus _count.
      names.add("janus_" + h);
      names.add("janus_" + h + "_count");
    }
    for (String status :
        List.of("matched", "mismatched", "missing_online", "missing_offline", "stale", "expired")) {
      names.add("janus_" + MetricNames.PARITY_PREFIX + status + MetricNames.TOTAL);
    }
    for (String status :
        List.of(
            "matched",
            "mismatched",
            "stale",
            "newer_than_offline",
            "missing_online",
            "missing_offline")) {
      names.add("janus_" + MetricNames.CONSISTENCY_PREFIX + status + MetricNames.TOTAL);
    }
    return List.copyOf(names);
  }

  /** Whether {@code name} is a metric Janus exports. */
  public static boolean contains(String name) {
    return PUSHED.contains(name) || OPERATOR.contains(name);
  }
}
