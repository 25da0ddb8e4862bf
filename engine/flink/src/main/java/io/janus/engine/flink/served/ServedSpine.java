package io.janus.engine.flink.served;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.training.Spine;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.served.ServedFeatures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.types.Types;

/**
 * The served-feature log of one group as a spine: one row per served value, at the time it was
 * served, with the entity key fields as columns named as the group names them (so the point-in-time
 * join finds the offline row a training set would have read at that moment), and what was served
 * alongside.
 */
final class ServedSpine implements Spine {
  private static final long serialVersionUID = 1L;
  static final String SERVED_AT = "served_at";
  static final String REQUEST_ID = "request_id";
  static final String ENDPOINT = "served_by";
  static final String FOUND = "served_found";
  static final String VALID_FROM = "served_valid_from";
  static final String FEATURES = "served_features";
  static final String MODEL = "served_model";
  static final String MODEL_VERSION = "served_model_version";

  private final Warehouse warehouse;
  private final String group;
  private final List<String> entity;
  private final Long sinceMicros;
  private final Schema schema;

  ServedSpine(Warehouse warehouse, FeatureGroup group, Instant since) {
    this.warehouse = warehouse;
    this.group = group.name();
    this.entity = List.copyOf(group.entity());
    this.sinceMicros =
        since == null ? null : since.getEpochSecond() * 1_000_000L + since.getNano() / 1_000;
    List<Types.NestedField> fields = new ArrayList<>();
    fields.add(Types.NestedField.required(1, SERVED_AT, Types.TimestampType.withZone()));
    fields.add(Types.NestedField.required(2, REQUEST_ID, Types.StringType.get()));
    fields.add(Types.NestedField.optional(3, ENDPOINT, Types.StringType.get()));
    fields.add(Types.NestedField.required(4, FOUND, Types.BooleanType.get()));
    fields.add(Types.NestedField.optional(5, VALID_FROM, Types.TimestampType.withZone()));
    fields.add(Types.NestedField.optional(6, FEATURES, Types.StringType.get()));
    fields.add(Types.NestedField.optional(7, MODEL, Types.StringType.get()));
    fields.add(Types.NestedField.optional(8, MODEL_VERSION, Types.StringType.get()));
    for (String e : entity)
      fields.add(Types.NestedField.optional(fields.size() + 1, e, Types.StringType.get()));
    this.schema = new Schema(fields);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public String timeColumn() {
    return SERVED_AT;
  }

  @Override
  public String origin() {
    return "iceberg:" + ServedFeatures.ID + " (" + group + ")";
  }

  @Override
  public DataStream<RowData> rows(StreamExecutionEnvironment env) {
    Expression filter = Expressions.equal("feature_group", group);
    if (sinceMicros != null)
      filter = Expressions.and(filter, Expressions.greaterThanOrEqual(SERVED_AT, sinceMicros));
    RowType logType = FlinkSchemaUtil.convert(ServedFeatures.SCHEMA);
    List<RowType.RowField> out = new ArrayList<>();
    out.add(new RowType.RowField("__janus_time", new BigIntType(false)));
    out.addAll(FlinkSchemaUtil.convert(schema).getFields());
    IcebergSource<RowData> src =
        IcebergSource.forRowData()
            .tableLoader(warehouse.tableLoader(ServedFeatures.ID))
            .project(ServedFeatures.SCHEMA)
            .filters(List.of(filter))
            .build();
    return env.fromSource(
            src,
            WatermarkStrategy.noWatermarks(),
            "iceberg " + ServedFeatures.ID + " (" + group + ")",
            InternalTypeInfo.of(logType))
        .flatMap(new AsSpineRow(group, entity, sinceMicros), InternalTypeInfo.of(new RowType(out)))
        .name("served values of " + group + " as spine rows");
  }

  /** A log row as {@code (time ms, the spine's columns…)}; other groups' rows are dropped. */
  private record AsSpineRow(String group, List<String> entity, Long sinceMicros)
      implements FlatMapFunction<RowData, RowData> {
    private static final ObjectMapper JSON = new ObjectMapper();

    // Positions in ServedFeatures.SCHEMA.
    static final int SERVED_AT = 0;
    static final int REQUEST_ID = 1;
    static final int ENDPOINT = 2;
    static final int GROUP = 3;
    static final int ENTITY = 4;
    static final int FOUND = 5;
    static final int VALID_FROM = 6;
    static final int FEATURES = 7;
    static final int MODEL = 8;
    static final int MODEL_VERSION = 9;

    @Override
    public void flatMap(RowData row, Collector<RowData> out) throws JsonProcessingException {
      // The source's filter prunes files; rows of other groups or before --since may remain.
      if (!group.equals(row.getString(GROUP).toString())) return;
      TimestampData servedAt = row.getTimestamp(SERVED_AT, 6);
      if (sinceMicros != null
          && servedAt.getMillisecond() * 1000 + servedAt.getNanoOfMillisecond() / 1000
              < sinceMicros) return;
      TreeMap<String, String> keys = map(row.getMap(ENTITY));
      GenericRowData o = new GenericRowData(9 + entity.size());
      o.setField(0, servedAt.getMillisecond());
      o.setField(1, servedAt);
      o.setField(2, row.getString(REQUEST_ID));
      o.setField(3, row.isNullAt(ENDPOINT) ? null : row.getString(ENDPOINT));
      o.setField(4, row.getBoolean(FOUND));
      o.setField(5, row.isNullAt(VALID_FROM) ? null : row.getTimestamp(VALID_FROM, 6));
      o.setField(
          6,
          StringData.fromString(
              JSON.writeValueAsString(
                  row.isNullAt(FEATURES) ? new TreeMap<>() : map(row.getMap(FEATURES)))));
      o.setField(7, row.isNullAt(MODEL) ? null : row.getString(MODEL));
      o.setField(8, row.isNullAt(MODEL_VERSION) ? null : row.getString(MODEL_VERSION));
      for (int i = 0; i < entity.size(); i++) {
        String v = keys.get(entity.get(i));
        o.setField(9 + i, v == null ? null : StringData.fromString(v));
      }
      out.collect(o);
    }

    private static TreeMap<String, String> map(MapData m) {
      TreeMap<String, String> out = new TreeMap<>();
      ArrayData k = m.keyArray();
      ArrayData v = m.valueArray();
      for (int i = 0; i < m.size(); i++) {
        if (!v.isNullAt(i)) out.put(k.getString(i).toString(), v.getString(i).toString());
      }
      return out;
    }
  }
}
