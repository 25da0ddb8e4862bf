package io.janus.engine.flink.training;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;

/**
 * The layout of rows while a training set is built: the spine row's time in epoch milliseconds
 * first (hidden; dropped on write), then the output columns.
 */
final class TrainingRows {
  static final String TIME = "__janus_time";

  private TrainingRows() {}

  /** {@code (time BIGINT, the schema's columns…)}. */
  static RowType withTime(Schema columns) {
    RowType row = FlinkSchemaUtil.convert(columns);
    List<RowType.RowField> fields = new ArrayList<>();
    fields.add(new RowType.RowField(TIME, new BigIntType(false)));
    fields.addAll(row.getFields());
    return new RowType(fields);
  }
}
