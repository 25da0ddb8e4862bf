package io.janus.engine.flink.sync;

import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineRowEncoder;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per key of the changed partitions (BATCH): the latest row before (input 1, the last synced
 * snapshot) and after (input 2, main's current one). Unchanged latest rows are skipped; a latest
 * row that stayed or moved forward is written with the plain guard; a latest row that moved back or
 * vanished (a corrected day removed the key's newest rows) goes to {@link #CORRECTIONS}, since the
 * key's true latest row may lie in an unchanged older partition.
 */
final class ChangedKeys extends KeyedCoProcessFunction<String, RowData, RowData, RowData> {
  static final String UNCHANGED = "janus-sync-unchanged";
  static final String EXPIRED = "janus-sync-expired";

  /**
   * Keys whose latest row moved back: the sync row carries the new latest (or a retraction) and the
   * old valid_from.
   */
  static final OutputTag<RowData> CORRECTIONS = new OutputTag<>("corrections") {};

  private final RowType tableType;
  private final OnlineRowEncoder encoder;
  private final SyncRows rows;
  private final long nowMs;
  private transient ValueState<RowData> before;
  private transient ValueState<RowData> after;

  /** Copies rows kept in state: with object reuse on, Flink refills input objects. */
  private transient RowDataSerializer copier;

  private transient LongCounter unchanged;
  private transient LongCounter expired;

  ChangedKeys(RowType tableType, OnlineRowEncoder encoder, SyncRows rows, long nowMs) {
    this.tableType = tableType;
    this.encoder = encoder;
    this.rows = rows;
    this.nowMs = nowMs;
  }

  @Override
  public void open(OpenContext ctx) {
    copier = new RowDataSerializer(tableType);
    before =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("before", InternalTypeInfo.of(tableType)));
    after =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("after", InternalTypeInfo.of(tableType)));
    unchanged = getRuntimeContext().getLongCounter(UNCHANGED);
    expired = getRuntimeContext().getLongCounter(EXPIRED);
  }

  @Override
  public void processElement1(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    keepLatest(before, row, ctx);
  }

  @Override
  public void processElement2(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    keepLatest(after, row, ctx);
  }

  private void keepLatest(ValueState<RowData> state, RowData row, Context ctx) throws Exception {
    RowData current = state.value();
    if (encoder.isNewer(row, current)) state.update(copier.copy(row));
    // BATCH hands over each key's rows as one block; this timer fires right after it.
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
    RowData old = before.value();
    RowData now = after.value();
    if (old != null && now != null && same(old, now)) {
      unchanged.add(1);
    } else if (now != null && (old == null || encoder.validFrom(now) >= encoder.validFrom(old))) {
      if (encoder.isExpired(encoder.validFrom(now), nowMs)) {
        expired.add(1); // past its TTL: the store dropped this key's values, older ones included
      } else {
        out.collect(rows.write(now, OnlineRow.NO_REPLACE));
      }
    } else {
      long oldValidFrom = encoder.validFrom(old);
      ctx.output(
          CORRECTIONS,
          now != null ? rows.write(now, oldValidFrom) : rows.retract(old, oldValidFrom));
    }
  }

  private boolean same(RowData a, RowData b) {
    OnlineRow x = encoder.encode(a);
    OnlineRow y = encoder.encode(b);
    return x.validFrom() == y.validFrom() && x.values().equals(y.values());
  }
}
