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

  private MetricNames() {}
}
