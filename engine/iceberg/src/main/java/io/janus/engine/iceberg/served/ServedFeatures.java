package io.janus.engine.iceberg.served;

import io.janus.engine.core.served.ServedValue;
import io.janus.engine.iceberg.SmallWrites;
import io.janus.engine.iceberg.Warehouse;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * The served-feature log, {@code janus.served_features}: what the feature server answered for
 * sampled keys ({@link ServedValue}), partitioned by day served and group, appended in batches by
 * the server's background writer.
 */
public final class ServedFeatures {
  /** The table. */
  public static final TableIdentifier ID = Warehouse.id("janus", "served_features");

  /** Its columns. */
  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "served_at", Types.TimestampType.withZone()),
          Types.NestedField.required(2, "request_id", Types.StringType.get()),
          Types.NestedField.optional(3, "endpoint", Types.StringType.get()),
          Types.NestedField.required(4, "feature_group", Types.StringType.get()),
          Types.NestedField.required(
              5,
              "entity",
              Types.MapType.ofRequired(12, 13, Types.StringType.get(), Types.StringType.get())),
          Types.NestedField.required(6, "found", Types.BooleanType.get()),
          Types.NestedField.optional(7, "valid_from", Types.TimestampType.withZone()),
          Types.NestedField.optional(
              8,
              "features",
              Types.MapType.ofOptional(14, 15, Types.StringType.get(), Types.StringType.get())),
          Types.NestedField.optional(9, "model", Types.StringType.get()),
          Types.NestedField.optional(10, "model_version", Types.StringType.get()),
          Types.NestedField.optional(11, "score", Types.DoubleType.get()));

  /** Partitioned by the day served and the group. */
  public static final PartitionSpec SPEC =
      PartitionSpec.builderFor(SCHEMA).day("served_at").identity("feature_group").build();

  /** Snapshot property: rows the append added. */
  public static final String ROWS = "janus.served-log.rows";

  private ServedFeatures() {}

  /** The log table, created on first use. */
  public static Table createOrLoad(Warehouse warehouse) {
    return warehouse.createOrLoad(ID, SCHEMA, SPEC);
  }

  /**
   * Appends {@code values} in one commit, one Parquet file per partition.
   *
   * @param table the log table
   * @param values what was served
   * @param server who served it (recorded in the snapshot summary)
   */
  public static void append(Table table, List<ServedValue> values, String server) {
    if (values.isEmpty()) return;
    Map<PartitionKey, List<Record>> byPartition = new LinkedHashMap<>();
    InternalRecordWrapper wrapper = new InternalRecordWrapper(SCHEMA.asStruct());
    for (ServedValue v : values) {
      Record r = record(v);
      PartitionKey key = new PartitionKey(table.spec(), table.schema());
      key.partition(wrapper.wrap(r));
      byPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    AppendFiles append = table.newAppend();
    byPartition.forEach((k, rows) -> append.appendFile(SmallWrites.dataFile(table, rows, k)));
    append.set(ROWS, Integer.toString(values.size()));
    append.set("janus.served-log.server", server);
    append.commit();
  }

  private static Record record(ServedValue v) {
    Record r = GenericRecord.create(SCHEMA);
    r.setField("served_at", v.servedAt().atOffset(ZoneOffset.UTC));
    r.setField("request_id", v.requestId());
    r.setField("endpoint", v.endpoint());
    r.setField("feature_group", v.group());
    r.setField("entity", v.entity());
    r.setField("found", v.found());
    r.setField("valid_from", v.validFrom() == null ? null : v.validFrom().atOffset(ZoneOffset.UTC));
    r.setField("features", v.features());
    r.setField("model", v.model());
    r.setField("model_version", v.modelVersion());
    r.setField("score", v.score());
    return r;
  }
}
