package io.janus.monitoring;

/**
 * Names of the metrics Janus jobs register in Flink's metric system, under the operator metric
 * group {@code janus}. The Prometheus reporter exports them as
 * {@code flink_taskmanager_job_task_operator_janus_<name>}.
 */
public final class MetricNames {
  /** Metric group under each operator. */
  public static final String GROUP = "janus";
  /** Feature rows a backfill wrote to its audit branch. */
  public static final String ROWS_WRITTEN = "rows_written";
  /** Events parsed and appended to the raw table by ingest. */
  public static final String EVENTS_INGESTED = "events_ingested";
  /** Lines or messages that could not be parsed and went to dead letters. */
  public static final String EVENTS_MALFORMED = "events_malformed";

  /** Guarded writes that landed in the online store. */
  public static final String ONLINE_WRITES = "online_writes";
  /** Guarded writes the store refused because it held a newer value. */
  public static final String ONLINE_WRITES_STALE = "online_writes_stale";
  /** Online write batches sent again after a failure. */
  public static final String ONLINE_RETRIES = "online_retries";
  /** Events later than the allowed lateness, sent to dead letters. */
  public static final String EVENTS_LATE = "events_late";

  /** Prefix of the parity check's key counts: {@code parity_matched}, {@code parity_mismatched}, {@code parity_missing_online}, … */
  public static final String PARITY_PREFIX = "parity_";

  private MetricNames() {}
}
