package io.janus.engine.flink.stream;

import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.StoredEventIds;
import io.janus.monitoring.MetricNames;
import java.time.Duration;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;
import org.apache.iceberg.flink.TableLoader;

/**
 * The cold path's dedupe, keyed by event id: passes the raw rows whose id the raw table does not
 * hold yet ({@link StoredEventIds}), so the table holds each id once however many jobs, restarts
 * and replays bring it. Each subtask holds the stored ids of its own key groups only. Every valid
 * event comes here, late ones included.
 */
final class NotYetStored extends KeyedProcessFunction<String, RowData, RowData> {
  static final String ALREADY_STORED = "janus-events-already-stored";

  private final TableLoader rawTable;
  private final RawEvents raw;
  private final int timeField;
  private final String runId;
  private final int maxDays;
  private final Duration refresh;
  private transient StoredEventIds stored;
  private transient LongCounter alreadyStored;
  private transient Counter storedMetric;

  /**
   * @param rawTable the raw table
   * @param raw the raw table's shape
   * @param runId this run (its own commits need not be read back)
   * @param maxDays day partitions of stored ids kept in memory per subtask
   * @param refresh how often other writers' commits are read
   */
  NotYetStored(TableLoader rawTable, RawEvents raw, String runId, int maxDays, Duration refresh) {
    this.rawTable = rawTable;
    this.raw = raw;
    this.timeField = raw.rowType().getFieldNames().indexOf(raw.eventTimeColumn());
    this.runId = runId;
    this.maxDays = maxDays;
    this.refresh = refresh;
  }

  @Override
  public void open(OpenContext ctx) {
    alreadyStored = getRuntimeContext().getLongCounter(ALREADY_STORED);
    storedMetric =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup(MetricNames.GROUP)
            .counter(MetricNames.EVENTS_ALREADY_STORED);
    rawTable.open();
    int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
    int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    stored =
        new StoredEventIds(
            rawTable.loadTable(),
            raw,
            raw.eventIdColumn(),
            runId,
            id ->
                KeyGroupRangeAssignment.assignKeyToParallelOperator(id, maxParallelism, parallelism)
                    == subtask,
            maxDays,
            refresh);
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<RowData> out) {
    long time = row.getTimestamp(timeField, 6).getMillisecond();
    if (stored.addIfAbsent(ctx.getCurrentKey(), time)) {
      out.collect(row);
    } else {
      alreadyStored.add(1);
      storedMetric.inc();
    }
  }

  @Override
  public void close() throws Exception {
    rawTable.close();
  }
}
