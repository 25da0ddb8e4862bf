package io.janus.monitoring;

/**
 * Names of the metrics Janus jobs register in Flink's metric system, under the operator metric
 * group {@code janus}. The Prometheus reporter exports them as {@code
 * flink_taskmanager_job_task_operator_janus_<name>}; the scrape configuration in {@code
 * monitoring/prometheus/prometheus.yml} renames them to {@code janus_<name>}. Counters end in
 * {@code _total}, as Prometheus names counters.
 */
public final class MetricNames {
  /** Metric group under each operator. */
  public static final String GROUP = "janus";

  /** Feature rows a backfill wrote to its audit branch. */
  public static final String ROWS_WRITTEN = "rows_written_total";

  /** Events parsed and appended to the raw table by ingest. */
  public static final String EVENTS_INGESTED = "events_ingested_total";

  /** Lines or messages that could not be parsed and went to dead letters. */
  public static final String EVENTS_MALFORMED = "events_malformed_total";

  /** Guarded writes that landed in the online store. */
  public static final String ONLINE_WRITES = "online_writes_total";

  /** Guarded writes the store refused because it held a newer value. */
  public static final String ONLINE_WRITES_STALE = "online_writes_stale_total";

  /** Online write batches sent again after a failure. */
  public static final String ONLINE_RETRIES = "online_retries_total";

  /**
   * Histogram: milliseconds from sending a batch of guarded writes to Redis until it is confirmed.
   * (Flink histograms hold whole numbers, so milliseconds; the recording rules turn them into
   * seconds.)
   */
  public static final String ONLINE_WRITE_LATENCY = "online_write_latency_milliseconds";

  /**
   * Histogram: wall clock minus {@code valid_from} of each value the streaming job writes online.
   */
  public static final String ONLINE_FRESHNESS = "online_freshness_milliseconds";

  /** Events later than the allowed lateness, sent to dead letters. */
  public static final String EVENTS_LATE = "events_late_total";

  /** Events whose id the job had already seen, not computed again. */
  public static final String EVENTS_DUPLICATE = "events_duplicate_total";

  /** Events whose id the raw table already holds, not appended again by the cold path. */
  public static final String EVENTS_ALREADY_STORED = "events_already_stored_total";

  /**
   * Gauge: feature rows the streaming job holds back because they are valid only later than the
   * wall clock (e.g. an event stamped ahead of the clock); each is written online when it becomes
   * valid.
   */
  public static final String ONLINE_ROWS_HELD = "online_rows_held";

  /**
   * Prefix of the parity check's key counts: {@code parity_matched_total}, {@code
   * parity_mismatched_total}, …
   */
  public static final String PARITY_PREFIX = "parity_";

  /**
   * Prefix of the served-vs-offline consistency check's counts: {@code consistency_matched_total},
   * {@code consistency_mismatched_total}, …
   */
  public static final String CONSISTENCY_PREFIX = "consistency_";

  /** Suffix of counters. */
  public static final String TOTAL = "_total";

  private MetricNames() {}
}
