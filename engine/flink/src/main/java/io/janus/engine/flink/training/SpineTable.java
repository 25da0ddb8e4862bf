package io.janus.engine.flink.training;

import io.janus.engine.iceberg.Warehouse;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.types.Types;

/** A spine in an Iceberg table of the warehouse, read at its current snapshot. */
final class SpineTable implements Spine {
  private static final long serialVersionUID = 1L;

  private final Warehouse warehouse;
  private final String table;
  private final String timeColumn;
  private final Schema schema;
  private final Long snapshot;

  SpineTable(Warehouse warehouse, TableIdentifier id, String timeColumn) {
    this.warehouse = warehouse;
    this.table = id.toString();
    this.timeColumn = timeColumn;
    if (!warehouse.exists(id)) {
      throw new IllegalArgumentException("spine table " + id + " does not exist");
    }
    Table table = warehouse.load(id);
    this.schema = table.schema();
    this.snapshot = table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
    Types.NestedField time = schema.findField(timeColumn);
    if (time == null) {
      throw new IllegalArgumentException(
          "spine table "
              + id
              + " has no time column '"
              + timeColumn
              + "' (columns: "
              + String.join(", ", columnNames())
              + "); name it with --time-column");
    }
    switch (time.type().typeId()) {
      case LONG, INTEGER, STRING, TIMESTAMP -> {}
      default ->
          throw new IllegalArgumentException(
              "spine table "
                  + id
                  + ": time column '"
                  + timeColumn
                  + "' is "
                  + time.type()
                  + " (expected epoch milliseconds, ISO-8601 text or a timestamp)");
    }
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public String timeColumn() {
    return timeColumn;
  }

  @Override
  public String origin() {
    return "iceberg:" + table + (snapshot == null ? "" : "@" + snapshot);
  }

  @Override
  public DataStream<RowData> rows(StreamExecutionEnvironment env) {
    RowType type = FlinkSchemaUtil.convert(schema);
    int t = columnNames().indexOf(timeColumn);
    LogicalType timeType = type.getTypeAt(t);
    RowData.FieldGetter time = RowData.createFieldGetter(timeType, t);
    RowData.FieldGetter[] columns = new RowData.FieldGetter[type.getFieldCount()];
    for (int i = 0; i < columns.length; i++)
      columns[i] = RowData.createFieldGetter(type.getTypeAt(i), i);
    IcebergSource.Builder<RowData> b =
        IcebergSource.forRowData()
            .tableLoader(warehouse.tableLoader(TableIdentifier.parse(table)))
            .project(schema);
    if (snapshot != null) b = b.useSnapshotId(snapshot);
    String where = table;
    MapFunction<RowData, RowData> withTime =
        row -> {
          GenericRowData out = new GenericRowData(columns.length + 1);
          Object v = time.getFieldOrNull(row);
          if (v == null) {
            throw new IllegalArgumentException(
                "spine table " + where + ": a row has no time in '" + timeColumn + "'");
          }
          out.setField(
              0,
              v instanceof TimestampData ts
                  ? ts.getMillisecond()
                  : SpineTime.millis(v instanceof StringData s ? s.toString() : v));
          for (int i = 0; i < columns.length; i++)
            out.setField(i + 1, columns[i].getFieldOrNull(row));
          return out;
        };
    return env.fromSource(
            b.build(),
            WatermarkStrategy.noWatermarks(),
            "spine " + table,
            InternalTypeInfo.of(type))
        .map(withTime, InternalTypeInfo.of(TrainingRows.withTime(schema)))
        .name("spine rows with their time");
  }

  @Override
  public List<String> columnNames() {
    return schema.columns().stream().map(Types.NestedField::name).toList();
  }
}
