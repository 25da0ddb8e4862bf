package io.janus.engine.flink.compute;

import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.schema.FeatureSchema;
import io.janus.engine.core.schema.FieldType;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * Builds rows of the feature table, {@code (entity keys…, valid_from, features…, ds)}, as Flink
 * {@link RowData} laid out like the table's actual columns: a table whose schema evolved (features
 * added later sit after {@code ds}, dropped ones stay as null columns) gets each value by name.
 */
public final class FeatureRows implements Serializable {
  public static final String VALID_FROM = FeatureSchema.VALID_FROM;
  public static final String DS = FeatureSchema.DS;
  private static final long DAY_MS = 86_400_000L;

  private final FieldType[] entityTypes;
  private final FieldType[] columnTypes;
  private final int width;
  private final int[] entityPos;
  private final int validFromPos;
  private final int[] columnPos;
  private final int dsPos;

  /**
   * @param plan the compiled group
   * @param tableColumns the feature table's column names, in table order
   */
  public FeatureRows(GroupPlan plan, List<String> tableColumns) {
    SourceDefinition source = plan.group().source();
    List<String> entity = plan.group().entity();
    entityTypes =
        entity.stream().map(e -> source.field(e).orElseThrow().type()).toArray(FieldType[]::new);
    columnTypes = plan.columnTypes();
    width = tableColumns.size();
    entityPos = entity.stream().mapToInt(e -> position(tableColumns, e, plan)).toArray();
    validFromPos = position(tableColumns, VALID_FROM, plan);
    columnPos =
        plan.columnNames().stream().mapToInt(c -> position(tableColumns, c, plan)).toArray();
    dsPos = position(tableColumns, DS, plan);
  }

  private static int position(List<String> columns, String name, GroupPlan plan) {
    int p = columns.indexOf(name);
    if (p < 0) {
      throw new IllegalStateException(
          "feature table of " + plan.group().name() + " has no column '" + name + "'");
    }
    return p;
  }

  /** Position of {@code valid_from} in a row. */
  public int validFromPos() {
    return validFromPos;
  }

  /** A feature-table row for {@code key} at {@code validFrom}. */
  public RowData row(String key, long validFrom, Object[] values) {
    GenericRowData row = new GenericRowData(width);
    int e = entityTypes.length;
    if (e == 1) {
      row.setField(entityPos[0], entity(key, entityTypes[0]));
    } else {
      int start = 0;
      for (int k = 0; k < e; k++) {
        int end = key.indexOf(GroupPlan.KEY_SEPARATOR, start);
        if (end < 0) end = key.length();
        row.setField(entityPos[k], entity(key.substring(start, end), entityTypes[k]));
        start = end + 1;
      }
    }
    row.setField(validFromPos, TimestampData.fromEpochMillis(validFrom));
    for (int c = 0; c < values.length; c++) {
      row.setField(columnPos[c], internal(values[c], columnTypes[c]));
    }
    row.setField(dsPos, (int) Math.floorDiv(validFrom, DAY_MS));
    return row;
  }

  private static Object entity(String v, FieldType t) {
    return t == FieldType.LONG ? (Object) Long.parseLong(v) : StringData.fromString(v);
  }

  private static Object internal(Object v, FieldType t) {
    if (v == null) return null;
    return switch (t) {
      case STRING -> StringData.fromString(v.toString());
      case TIMESTAMP -> TimestampData.fromEpochMillis(((Number) v).longValue());
      case LONG -> ((Number) v).longValue();
      case DOUBLE -> ((Number) v).doubleValue();
      case BOOLEAN -> v;
    };
  }
}
