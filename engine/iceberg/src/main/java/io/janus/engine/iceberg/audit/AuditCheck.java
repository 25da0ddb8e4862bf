package io.janus.engine.iceberg.audit;

/**
 * One audit check and its outcome.
 *
 * @param rule rule name (min_rows, max_null_rate, range, unique_key, non_negative, max_drift, …)
 * @param column the column checked, or null for table-level rules
 * @param status PASS, WARN or FAIL
 * @param observed the measured value
 * @param bound the configured bound, as text
 * @param message one line for people
 */
public record AuditCheck(
    String rule, String column, Status status, Object observed, String bound, String message) {
  /** Outcome of a check. */
  public enum Status {
    PASS,
    WARN,
    FAIL
  }
}
