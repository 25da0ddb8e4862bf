package io.janus.engine.source;

import io.janus.engine.compute.Event;
import io.janus.engine.definition.SourceDefinition;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.Warehouse;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.source.IcebergSource;

/** Reads a source's raw events table ({@code raw.<source>}), pruned to the requested event-time range. */
public final class IcebergEventSource implements EventSource {
  private final Warehouse warehouse;
  private final SourceDefinition source;

  public IcebergEventSource(Warehouse warehouse, SourceDefinition source) {
    this.warehouse = warehouse;
    this.source = source;
  }

  @Override
  public DataStream<Event> events(StreamExecutionEnvironment env, long fromMs, long toMs) {
    RawEvents raw = new RawEvents(source);
    raw.createOrLoad(warehouse);
    String col = raw.eventTimeColumn();
    List<Expression> filters = new ArrayList<>();
    if (fromMs != Long.MIN_VALUE) filters.add(Expressions.greaterThanOrEqual(col, fromMs * 1000));
    if (toMs != Long.MAX_VALUE) filters.add(Expressions.lessThan(col, toMs * 1000));
    IcebergSource<RowData> src =
        IcebergSource.forRowData().tableLoader(warehouse.tableLoader(RawEvents.id(source))).filters(filters).build();
    DataStream<RowData> rows =
        env.fromSource(src, WatermarkStrategy.noWatermarks(), "iceberg " + RawEvents.id(source), InternalTypeInfo.of(raw.rowType()));
    // File pruning is coarse; keep exactly the range.
    return rows.map(raw::toEvent)
        .returns(TypeInformation.of(Event.class))
        .name("raw to event")
        .filter(e -> e.ts >= fromMs && e.ts < toMs)
        .name("event time in range");
  }

  @Override
  public String describe() {
    return "iceberg:" + RawEvents.id(source);
  }
}
