package io.janus.engine.compute;

import io.janus.engine.definition.FieldType;
import io.janus.engine.definition.SourceDefinition;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * Builds rows of the feature table, {@code (entity keys…, valid_from, features…, ds)}, as Flink
 * {@link RowData} in the layout of {@code FeatureTables.schema(plan)}.
 */
public final class FeatureRows implements Serializable {
  private static final long DAY_MS = 86_400_000L;

  private final FieldType[] entityTypes;
  private final FieldType[] columnTypes;

  public FeatureRows(GroupPlan plan) {
    SourceDefinition source = plan.group().source();
    List<String> entity = plan.group().entity();
    entityTypes = entity.stream().map(e -> source.field(e).orElseThrow().type()).toArray(FieldType[]::new);
    columnTypes = plan.columnTypes();
  }

  /** Position of {@code valid_from} in a row. */
  public int validFromPos() {
    return entityTypes.length;
  }

  /** A feature-table row for {@code key} at {@code validFrom}. */
  public RowData row(String key, long validFrom, Object[] values) {
    int e = entityTypes.length;
    GenericRowData row = new GenericRowData(e + 1 + values.length + 1);
    if (e == 1) {
      row.setField(0, entity(key, entityTypes[0]));
    } else {
      int start = 0;
      for (int k = 0; k < e; k++) {
        int end = key.indexOf(GroupPlan.KEY_SEPARATOR, start);
        if (end < 0) end = key.length();
        row.setField(k, entity(key.substring(start, end), entityTypes[k]));
        start = end + 1;
      }
    }
    row.setField(e, TimestampData.fromEpochMillis(validFrom));
    for (int c = 0; c < values.length; c++) {
      row.setField(e + 1 + c, internal(values[c], columnTypes[c]));
    }
    row.setField(e + 1 + values.length, (int) Math.floorDiv(validFrom, DAY_MS));
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
