package io.janus.engine.flink.sync;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The rows a sync hands to its writer: a feature-table row followed by two columns saying how to
 * write it — {@code _replace_up_to} (stored values at or before it give way; -1 for a plain guarded
 * write) and {@code _retract} (remove the key instead). Kept as {@link RowData} so Flink moves them
 * with its binary serializer.
 */
final class SyncRows implements Serializable {
  static final String REPLACE_UP_TO = "_replace_up_to";
  static final String RETRACT = "_retract";

  private final RowType type;
  private final RowData.FieldGetter[] getters;

  /**
   * @param tableType the feature table's row type
   */
  SyncRows(RowType tableType) {
    List<RowType.RowField> fields = new ArrayList<>(tableType.getFields());
    fields.add(new RowType.RowField(REPLACE_UP_TO, new BigIntType(false)));
    fields.add(new RowType.RowField(RETRACT, new BooleanType(false)));
    this.type = new RowType(fields);
    this.getters = new RowData.FieldGetter[tableType.getFieldCount()];
    for (int i = 0; i < getters.length; i++)
      getters[i] = RowData.createFieldGetter(tableType.getTypeAt(i), i);
  }

  /** The row type: the table's columns, then the two write columns. */
  RowType type() {
    return type;
  }

  /** A write of {@code row} (a table row, or a sync row whose table part is used). */
  RowData write(RowData row, long replaceUpTo) {
    return build(row, replaceUpTo, false);
  }

  /**
   * Removes the key of {@code row} where the store holds nothing newer than {@code replaceUpTo}.
   */
  RowData retract(RowData row, long replaceUpTo) {
    return build(row, replaceUpTo, true);
  }

  private RowData build(RowData row, long replaceUpTo, boolean retract) {
    GenericRowData out = new GenericRowData(getters.length + 2);
    for (int i = 0; i < getters.length; i++) out.setField(i, getters[i].getFieldOrNull(row));
    out.setField(getters.length, replaceUpTo);
    out.setField(getters.length + 1, retract);
    return out;
  }

  long replaceUpTo(RowData syncRow) {
    return syncRow.getLong(getters.length);
  }

  boolean isRetraction(RowData syncRow) {
    return syncRow.getBoolean(getters.length + 1);
  }
}
