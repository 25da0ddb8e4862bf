package io.janus.engine.flink.ingest;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;

/**
 * Keyed by event id, in BATCH mode: the ingested events (first input) against the ids the raw table
 * already holds (second input). An id the table holds is not appended again, and an id seen several
 * times in the input is appended once (the earliest event time, then the lowest id text, so the
 * choice does not depend on parallelism). Every dropped event is counted in {@link #DUPLICATES}.
 * What is decided at the key's end-of-input timer, when both inputs are complete.
 */
final class NewEventsOnly extends KeyedCoProcessFunction<String, RowData, String, RowData> {
  /** Accumulator counting events not appended because their id was already there. */
  static final String DUPLICATES = "janus-events-duplicate";

  private final RowType rowType;
  private final int timeField;
  private transient ValueState<RowData> first;
  private transient ValueState<Boolean> stored;
  private transient ValueState<Long> seen;
  private transient LongCounter duplicates;

  /**
   * @param rowType the raw table's row type
   * @param timeField the position of the event-time column
   */
  NewEventsOnly(RowType rowType, int timeField) {
    this.rowType = rowType;
    this.timeField = timeField;
  }

  private long time(RowData row) {
    return row.getTimestamp(timeField, 6).getMillisecond();
  }

  @Override
  public void open(OpenContext ctx) {
    first =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("first", InternalTypeInfo.of(rowType)));
    stored = getRuntimeContext().getState(new ValueStateDescriptor<>("stored", Types.BOOLEAN));
    seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.LONG));
    duplicates = getRuntimeContext().getLongCounter(DUPLICATES);
  }

  @Override
  public void processElement1(RowData e, Context ctx, Collector<RowData> out) throws Exception {
    RowData kept = first.value();
    if (kept == null || time(e) < time(kept)) first.update(e);
    Long n = seen.value();
    seen.update(n == null ? 1 : n + 1);
    if (n == null) ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void processElement2(String id, Context ctx, Collector<RowData> out) throws Exception {
    stored.update(true);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
    long n = seen.value() == null ? 0 : seen.value();
    if (Boolean.TRUE.equals(stored.value())) {
      duplicates.add(n);
    } else if (first.value() != null) {
      out.collect(first.value());
      duplicates.add(n - 1);
    }
  }
}
