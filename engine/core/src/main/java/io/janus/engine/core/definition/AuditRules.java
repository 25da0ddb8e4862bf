package io.janus.engine.core.definition;

import java.io.Serializable;
import java.util.Map;

/**
 * Audit rules of a group, checked on the audit branch before a backfill is published.
 *
 * @param minRows fail when the audited range has fewer rows (null: no bound)
 * @param maxRows fail when it has more rows (null: no bound)
 * @param minRowsPerDay fail when a day of the range that the raw table covers (between its first
 *     and last day of events) has fewer rows (null: no bound): a day of events missing from the raw
 *     table is otherwise published nearly empty without a word
 * @param maxNullRate per column, the largest share of nulls allowed
 * @param ranges per column, inclusive bounds every non-null value must fall in
 * @param maxDrift per column, the largest population stability index against main on overlapping
 *     partitions
 * @param driftAction whether drift beyond the bound fails the audit or only warns
 */
public record AuditRules(
    Long minRows,
    Long maxRows,
    Long minRowsPerDay,
    Map<String, Double> maxNullRate,
    Map<String, Range> ranges,
    Map<String, Double> maxDrift,
    DriftAction driftAction)
    implements Serializable {

  /** No rules beyond the built-in ones. */
  public static final AuditRules NONE =
      new AuditRules(null, null, null, Map.of(), Map.of(), Map.of(), DriftAction.FAIL);

  /** Inclusive numeric bounds. */
  public record Range(double min, double max) implements Serializable {}

  /** What a drift beyond its bound does. */
  public enum DriftAction {
    WARN,
    FAIL
  }
}
