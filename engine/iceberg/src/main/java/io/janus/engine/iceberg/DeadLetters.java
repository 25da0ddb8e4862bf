package io.janus.engine.iceberg;

import java.io.Serializable;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;

/**
 * The dead-letter table {@code janus.dead_letters}: every event Janus could not use, with its raw
 * payload, where it came from and why, so nothing is lost silently.
 */
public final class DeadLetters implements Serializable {
  public static final TableIdentifier ID = Warehouse.id("janus", "dead_letters");

  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "source", Types.StringType.get()),
          Types.NestedField.required(2, "origin", Types.StringType.get()),
          Types.NestedField.required(3, "reason", Types.StringType.get()),
          Types.NestedField.optional(4, "payload", Types.StringType.get()),
          Types.NestedField.required(5, "received_at", Types.TimestampType.withZone()),
          Types.NestedField.optional(6, "run_id", Types.StringType.get()));

  public static final PartitionSpec SPEC =
      PartitionSpec.builderFor(SCHEMA).day("received_at").build();

  private DeadLetters() {}

  public static Table createOrLoad(Warehouse warehouse) {
    return warehouse.createOrLoad(ID, SCHEMA, SPEC);
  }

  public static RowType rowType() {
    return FlinkSchemaUtil.convert(SCHEMA);
  }

  /** One dead letter as a row. */
  public static RowData row(
      String source,
      String origin,
      String reason,
      String payload,
      long receivedAtMs,
      String runId) {
    return GenericRowData.of(
        StringData.fromString(source),
        StringData.fromString(origin),
        StringData.fromString(reason),
        payload == null ? null : StringData.fromString(payload),
        TimestampData.fromEpochMillis(receivedAtMs),
        runId == null ? null : StringData.fromString(runId));
  }
}
