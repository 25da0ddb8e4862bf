package io.janus.engine.flink.source;

import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.event.Event;
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

/**
 * Reads a source's raw events table ({@code raw.<source>}), pruned to the requested event-time
 * range.
 */
public final class IcebergEventSource implements EventSource {
  private final Warehouse warehouse;
  private final SourceDefinition source;

  /** The fields read; null for all of them. */
  private final java.util.Set<String> fields;

  public IcebergEventSource(Warehouse warehouse, SourceDefinition source) {
    this(warehouse, source, null);
  }

  private IcebergEventSource(
      Warehouse warehouse, SourceDefinition source, java.util.Set<String> fields) {
    this.warehouse = warehouse;
    this.source = source;
    this.fields = fields == null ? null : java.util.Set.copyOf(fields);
  }

  /**
   * Reads only the columns of {@code fields} (and the event time and id): Parquet skips the others.
   * Measured with {@code janus bench backfill} (5M events, {@code user_activity}, 5 of 12 columns):
   * see docs/operations.md, Benchmarks.
   */
  @Override
  public EventSource reading(java.util.Set<String> fields) {
    return new IcebergEventSource(warehouse, source, fields);
  }

  @Override
  public DataStream<Event> events(StreamExecutionEnvironment env, long fromMs, long toMs) {
    RawEvents raw = new RawEvents(source);
    raw.createOrLoad(warehouse);
    String col = raw.eventTimeColumn();
    List<Expression> filters = new ArrayList<>();
    if (fromMs != Long.MIN_VALUE) filters.add(Expressions.greaterThanOrEqual(col, fromMs * 1000));
    if (toMs != Long.MAX_VALUE) filters.add(Expressions.lessThan(col, toMs * 1000));
    org.apache.iceberg.Schema read = fields == null ? raw.schema() : raw.projection(fields);
    IcebergSource.Builder<RowData> builder =
        IcebergSource.forRowData()
            .tableLoader(warehouse.tableLoader(RawEvents.id(source)))
            .filters(filters);
    if (fields != null) builder.project(read);
    DataStream<RowData> rows =
        env.fromSource(
            builder.build(),
            WatermarkStrategy.noWatermarks(),
            "iceberg " + RawEvents.id(source),
            InternalTypeInfo.of(org.apache.iceberg.flink.FlinkSchemaUtil.convert(read)));
    java.util.function.Function<RowData, Event> toEvent = raw.reader(read);
    // File pruning is coarse; keep exactly the range.
    return rows.map(toEvent::apply)
        .returns(TypeInformation.of(Event.class))
        .name("raw to event")
        .filter(e -> e.ts >= fromMs && e.ts < toMs)
        .name("event time in range");
  }

  @Override
  public DataStream<Event> keysBefore(
      StreamExecutionEnvironment env, long beforeMs, List<String> entityFields) {
    RawEvents raw = new RawEvents(source);
    org.apache.iceberg.Schema full = raw.schema();
    List<String> columns =
        new ArrayList<>(
            entityFields.stream().map(f -> source.field(f).orElseThrow().columnName()).toList());
    columns.add(raw.eventTimeColumn());
    org.apache.iceberg.Schema projected = full.select(columns);
    IcebergSource<RowData> src =
        IcebergSource.forRowData()
            .tableLoader(warehouse.tableLoader(RawEvents.id(source)))
            .project(projected)
            .filters(List.of(Expressions.lessThan(raw.eventTimeColumn(), beforeMs * 1000)))
            .build();
    // Positions in the projection follow the table schema's order, not the order asked for.
    List<String> projectedNames =
        projected.columns().stream().map(org.apache.iceberg.types.Types.NestedField::name).toList();
    int timePos = projectedNames.indexOf(raw.eventTimeColumn());
    int width = source.fields().size();
    int[] target = new int[projectedNames.size()];
    boolean[] isLong = new boolean[projectedNames.size()];
    for (int i = 0; i < projectedNames.size(); i++) {
      String name = projectedNames.get(i);
      int idx = -1;
      for (int f = 0; f < width; f++) if (source.fields().get(f).columnName().equals(name)) idx = f;
      target[i] = entityFields.contains(source.fields().get(idx).name()) ? idx : -1;
      isLong[i] = source.fields().get(idx).type() == io.janus.engine.core.schema.FieldType.LONG;
    }
    return env.fromSource(
            src,
            WatermarkStrategy.noWatermarks(),
            "iceberg keys before range " + RawEvents.id(source),
            InternalTypeInfo.of(org.apache.iceberg.flink.FlinkSchemaUtil.convert(projected)))
        // File pruning is coarse: keep only rows before the bound.
        .filter(row -> row.getTimestamp(timePos, 6).getMillisecond() < beforeMs)
        .name("before range")
        .map(
            row -> {
              Object[] values = new Object[width];
              for (int i = 0; i < target.length; i++) {
                if (target[i] >= 0 && !row.isNullAt(i)) {
                  values[target[i]] =
                      isLong[i] ? (Object) row.getLong(i) : row.getString(i).toString();
                }
              }
              return new Event(beforeMs - 1, "", values);
            })
        .returns(TypeInformation.of(Event.class))
        .name("key markers");
  }

  @Override
  public String describe() {
    return "iceberg:" + RawEvents.id(source);
  }

  /** The day partitions of the raw table that hold events, read from its manifests. */
  @Override
  public java.util.SortedSet<java.time.LocalDate> days() {
    java.util.SortedSet<java.time.LocalDate> days = new java.util.TreeSet<>();
    org.apache.iceberg.Table table = new RawEvents(source).createOrLoad(warehouse);
    try (var files = table.newScan().planFiles()) {
      for (var task : files) {
        if (task.file().recordCount() == 0) continue;
        Integer day = task.file().partition().get(0, Integer.class);
        if (day != null) days.add(java.time.LocalDate.ofEpochDay(day));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return days;
  }
}
