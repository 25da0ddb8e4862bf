package io.janus.engine.flink.sync;

import io.janus.engine.online.OnlineRowEncoder;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;

/**
 * Second pass for keys whose latest row moved back (BATCH): input 1 is the key's correction from
 * {@link ChangedKeys}, input 2 its rows in the unchanged partitions before the changed ones. The
 * newest of the two wins and replaces what the store holds up to the old valid_from; with no row at
 * all, or only an expired one, the key is removed.
 */
final class CorrectedKeys extends KeyedCoProcessFunction<String, RowData, RowData, RowData> {
  private final RowType syncType;
  private final RowType tableType;
  private final OnlineRowEncoder encoder;
  private final SyncRows rows;
  private final long nowMs;
  private transient ValueState<RowData> correction;
  private transient ValueState<RowData> older;

  /** Copy rows kept in state: with object reuse on, Flink refills input objects. */
  private transient RowDataSerializer correctionCopier;

  private transient RowDataSerializer olderCopier;

  CorrectedKeys(
      RowType syncType, RowType tableType, OnlineRowEncoder encoder, SyncRows rows, long nowMs) {
    this.syncType = syncType;
    this.tableType = tableType;
    this.encoder = encoder;
    this.rows = rows;
    this.nowMs = nowMs;
  }

  @Override
  public void open(OpenContext ctx) {
    correctionCopier = new RowDataSerializer(syncType);
    olderCopier = new RowDataSerializer(tableType);
    correction =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("correction", InternalTypeInfo.of(syncType)));
    older =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("older", InternalTypeInfo.of(tableType)));
  }

  @Override
  public void processElement1(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    correction.update(correctionCopier.copy(row));
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void processElement2(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    RowData current = older.value();
    if (encoder.isNewer(row, current)) older.update(olderCopier.copy(row));
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
    RowData c = correction.value();
    if (c == null) return; // rows of a key that needs no correction
    long upTo = rows.replaceUpTo(c);
    RowData best = rows.isRetraction(c) ? null : c;
    RowData o = older.value();
    if (o != null && (best == null || encoder.validFrom(o) > encoder.validFrom(best))) best = o;
    boolean expired = best != null && encoder.isExpired(encoder.validFrom(best), nowMs);
    out.collect(best == null || expired ? rows.retract(c, upTo) : rows.write(best, upTo));
  }
}
