package io.janus.engine.flink.training;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.types.Types;

/**
 * A spine of every entity key in a group's feature table (its current snapshot), each once, all at
 * one time: what batch prediction over {@code --all-keys} scores. Columns: the entity fields, then
 * {@code ts}.
 */
final class SpineKeys implements Spine {
  private static final long serialVersionUID = 1L;
  static final String TIME = "ts";

  private final Warehouse warehouse;
  private final String table;
  private final List<String> entity;
  private final long snapshot;
  private final long at;
  private final Schema schema;

  SpineKeys(Warehouse warehouse, FeatureGroup group, Instant at) {
    this.warehouse = warehouse;
    this.table = FeatureTables.id(group).toString();
    this.entity = group.entity();
    if (!warehouse.exists(FeatureTables.id(group))) {
      throw new IllegalArgumentException(
          "feature table " + table + " does not exist yet: run a backfill of " + group.name());
    }
    Table t = warehouse.load(FeatureTables.id(group));
    if (t.currentSnapshot() == null) {
      throw new IllegalArgumentException("feature table " + table + " has no published snapshot");
    }
    this.snapshot = t.currentSnapshot().snapshotId();
    this.at = at.toEpochMilli();
    List<Types.NestedField> fields = new ArrayList<>();
    for (String e : entity) {
      fields.add(Types.NestedField.optional(fields.size() + 1, e, t.schema().findType(e)));
    }
    fields.add(Types.NestedField.optional(fields.size() + 1, TIME, Types.TimestampType.withZone()));
    this.schema = new Schema(fields);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public String timeColumn() {
    return TIME;
  }

  @Override
  public String origin() {
    return "keys:" + table + "@" + snapshot + " at " + Instant.ofEpochMilli(at);
  }

  @Override
  public DataStream<RowData> rows(StreamExecutionEnvironment env) {
    Table t = warehouse.load(id());
    Schema keys = t.schema().select(entity);
    RowType keyType = FlinkSchemaUtil.convert(keys);
    int n = entity.size();
    RowData.FieldGetter[] get = new RowData.FieldGetter[n];
    for (int i = 0; i < n; i++) get[i] = RowData.createFieldGetter(keyType.getTypeAt(i), i);
    long time = at;
    MapFunction<RowData, RowData> toSpine =
        row -> {
          GenericRowData out = new GenericRowData(n + 2);
          out.setField(0, time);
          for (int i = 0; i < n; i++) out.setField(i + 1, get[i].getFieldOrNull(row));
          out.setField(n + 1, TimestampData.fromEpochMillis(time));
          return out;
        };
    IcebergSource<RowData> src =
        IcebergSource.forRowData()
            .tableLoader(warehouse.tableLoader(id()))
            .useSnapshotId(snapshot)
            .project(keys)
            .build();
    return env.fromSource(
            src, WatermarkStrategy.noWatermarks(), "keys of " + table, InternalTypeInfo.of(keyType))
        .keyBy(row -> PointInTimeJoin.keyString(get, row))
        .reduce((a, b) -> a)
        .name("each key once")
        .map(toSpine, InternalTypeInfo.of(TrainingRows.withTime(schema)))
        .name("keys at " + Instant.ofEpochMilli(at));
  }

  private TableIdentifier id() {
    return TableIdentifier.parse(table);
  }
}
