package io.janus.engine.flink.backfill;

import io.janus.engine.core.progress.Progress;
import io.janus.engine.flink.compute.Accumulators;
import io.janus.engine.iceberg.audit.WrittenFigures;
import io.janus.monitoring.MetricNames;
import java.util.Objects;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.RowData;

/**
 * Keeps the rows whose {@code valid_from} is in the backfill's range, and measures what goes to the
 * writer for the audit: rows, distinct keys, rows whose {@code (keys, valid_from)} repeats or goes
 * backwards within a key, rows whose {@code ds} is not {@code date(valid_from)}. In BATCH each
 * key's rows reach one subtask together and in time order, so neighbour comparisons find every
 * duplicate.
 */
final class RangeFilter extends RichFilterFunction<RowData> {
  static final String ROWS = "janus-rows-written";
  static final String KEYS = "janus-keys-written";
  static final String DUPLICATES = "janus-rows-duplicate";
  static final String BAD_DS = "janus-rows-bad-ds";
  private static final long DAY_MS = 86_400_000L;

  private final long startMs;
  private final long endMs;
  private final int validFromPos;
  private final int dsPos;
  private final RowData.FieldGetter[] entity;
  private final String label;
  private transient LongCounter rows;
  private transient LongCounter keys;
  private transient LongCounter duplicates;
  private transient LongCounter badDs;
  private transient Counter rowsMetric;
  private transient Progress progress;
  private transient Object[] lastKey;
  private transient long lastValidFrom;

  RangeFilter(
      long startMs,
      long endMs,
      int validFromPos,
      int dsPos,
      RowData.FieldGetter[] entity,
      String label) {
    this.startMs = startMs;
    this.endMs = endMs;
    this.validFromPos = validFromPos;
    this.dsPos = dsPos;
    this.entity = entity;
    this.label = label;
  }

  @Override
  public void open(OpenContext ctx) {
    rows = getRuntimeContext().getLongCounter(ROWS);
    keys = getRuntimeContext().getLongCounter(KEYS);
    duplicates = getRuntimeContext().getLongCounter(DUPLICATES);
    badDs = getRuntimeContext().getLongCounter(BAD_DS);
    rowsMetric =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup(MetricNames.GROUP)
            .counter(MetricNames.ROWS_WRITTEN);
    var task = getRuntimeContext().getTaskInfo();
    progress =
        new Progress(
            label
                + " rows (subtask "
                + (task.getIndexOfThisSubtask() + 1)
                + "/"
                + task.getNumberOfParallelSubtasks()
                + ")");
  }

  @Override
  public boolean filter(RowData row) {
    long t = row.getTimestamp(validFromPos, 6).getMillisecond();
    if (t < startMs || t >= endMs) {
      return false;
    }
    rows.add(1);
    rowsMetric.inc();
    progress.tick();
    if (row.getInt(dsPos) != Math.floorDiv(t, DAY_MS)) {
      badDs.add(1);
    }
    boolean sameKey = lastKey != null;
    for (int k = 0; k < entity.length && sameKey; k++) {
      sameKey = Objects.equals(lastKey[k], entity[k].getFieldOrNull(row));
    }
    if (sameKey) {
      if (t <= lastValidFrom) duplicates.add(1);
    } else {
      keys.add(1);
      lastKey = new Object[entity.length];
      for (int k = 0; k < entity.length; k++) lastKey[k] = entity[k].getFieldOrNull(row);
    }
    lastValidFrom = t;
    return true;
  }

  /** The figures of a finished job. */
  static WrittenFigures figures(JobExecutionResult job) {
    return new WrittenFigures(
        Accumulators.count(job, ROWS),
        Accumulators.count(job, KEYS),
        Accumulators.count(job, DUPLICATES),
        Accumulators.count(job, BAD_DS));
  }
}
