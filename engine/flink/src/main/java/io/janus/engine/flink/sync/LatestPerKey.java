package io.janus.engine.flink.sync;

import io.janus.engine.online.OnlineRowEncoder;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;

/**
 * Each key's row with the greatest valid_from, emitted once the input ends (a timer at the end of
 * time fires after the last watermark), in BATCH and in STREAMING mode alike.
 */
final class LatestPerKey extends KeyedProcessFunction<String, RowData, RowData> {
  private final RowType tableType;
  private final OnlineRowEncoder encoder;
  private transient ValueState<RowData> latest;
  private transient RowDataSerializer copier;

  LatestPerKey(RowType tableType, OnlineRowEncoder encoder) {
    this.tableType = tableType;
    this.encoder = encoder;
  }

  @Override
  public void open(OpenContext ctx) {
    copier = new RowDataSerializer(tableType);
    latest =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("latest", InternalTypeInfo.of(tableType)));
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    RowData current = latest.value();
    if (current == null) ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    if (encoder.isNewer(row, current)) latest.update(copier.copy(row));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
    out.collect(latest.value());
  }
}
