package io.janus.engine.flink.stream;

import io.janus.engine.core.event.Event;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.StoredEventIds;
import io.janus.monitoring.MetricNames;
import java.time.Duration;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.flink.TableLoader;

/**
 * Keyed by event id: each id once, for compute and for the cold path, each by its own rule.
 *
 * <ul>
 *   <li><b>Compute</b> (main output): the first event of an id goes on; a repeat while the
 *       watermark has not yet passed the first one's time is dropped and counted. The id is
 *       forgotten when the watermark passes that time, since from then on any repeat is late and
 *       the late filter keeps it out of compute anyway: the state is bounded by the events within
 *       the allowed lateness. A job counts an id once; a new job (a replay, a restart without
 *       state) computes from what it reads, and the guarded Redis writes keep the newest values.
 *   <li><b>Cold path</b> ({@link #COLD_PATH} side output): every valid event, late ones included,
 *       whose id the raw table does not hold yet ({@link StoredEventIds}), so the table holds each
 *       id once however many jobs, restarts and replays bring it.
 * </ul>
 */
final class EachIdOnce extends KeyedProcessFunction<String, Event, Event> {
  static final OutputTag<Event> COLD_PATH =
      new OutputTag<>("cold-path", TypeInformation.of(Event.class));
  static final String DUPLICATES = "janus-events-duplicate";
  static final String ALREADY_STORED = "janus-events-already-stored";

  private final TableLoader rawTable;
  private final RawEvents raw;
  private final String idColumn;
  private final String runId;
  private final int maxDays;
  private final Duration refresh;
  private transient ValueState<Boolean> seen;
  private transient StoredEventIds stored;
  private transient LongCounter duplicates;
  private transient LongCounter alreadyStored;
  private transient Counter duplicateMetric;
  private transient Counter storedMetric;

  /**
   * @param rawTable the raw table, or null without a cold path
   * @param raw the raw table's shape
   * @param idColumn the event-id column
   * @param runId this run (its own commits need not be read back)
   * @param maxDays day partitions of stored ids kept in memory per subtask
   * @param refresh how often other writers' commits are read
   */
  EachIdOnce(
      TableLoader rawTable,
      RawEvents raw,
      String idColumn,
      String runId,
      int maxDays,
      Duration refresh) {
    this.rawTable = rawTable;
    this.raw = raw;
    this.idColumn = idColumn;
    this.runId = runId;
    this.maxDays = maxDays;
    this.refresh = refresh;
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
    duplicates = getRuntimeContext().getLongCounter(DUPLICATES);
    alreadyStored = getRuntimeContext().getLongCounter(ALREADY_STORED);
    MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
    duplicateMetric = metrics.counter(MetricNames.EVENTS_DUPLICATE);
    storedMetric = metrics.counter(MetricNames.EVENTS_ALREADY_STORED);
    if (rawTable != null) {
      rawTable.open();
      int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
      int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
      int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
      stored =
          new StoredEventIds(
              rawTable.loadTable(),
              raw,
              idColumn,
              runId,
              id ->
                  KeyGroupRangeAssignment.assignKeyToParallelOperator(
                          id, maxParallelism, parallelism)
                      == subtask,
              maxDays,
              refresh);
    }
  }

  @Override
  public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
    if (stored != null) {
      if (stored.addIfAbsent(e.id, e.ts)) {
        ctx.output(COLD_PATH, e);
      } else {
        alreadyStored.add(1);
        storedMetric.inc();
      }
    }
    if (e.ts <= ctx.timerService().currentWatermark()) {
      out.collect(e); // late: the late filter sends it to dead letters
    } else if (seen.value() == null) {
      seen.update(true);
      ctx.timerService().registerEventTimeTimer(e.ts);
      out.collect(e);
    } else {
      duplicates.add(1);
      duplicateMetric.inc();
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Event> out) {
    seen.clear();
  }

  @Override
  public void close() throws Exception {
    if (rawTable != null) rawTable.close();
  }
}
