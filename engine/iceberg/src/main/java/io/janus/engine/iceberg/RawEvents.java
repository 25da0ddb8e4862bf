package io.janus.engine.iceberg;

import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.definition.SourceField;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.schema.FieldType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
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
 * The raw events table of a source, {@code raw.<source>}: one column per source field (dots become
 * underscores), partitioned by the day of the event time. Converts events to and from Flink rows.
 */
public final class RawEvents implements Serializable {
  public static final String NAMESPACE = "raw";

  private final SourceDefinition source;
  private final FieldType[] types;

  public RawEvents(SourceDefinition source) {
    this.source = source;
    this.types = source.fields().stream().map(SourceField::type).toArray(FieldType[]::new);
  }

  public static TableIdentifier id(SourceDefinition source) {
    return Warehouse.id(NAMESPACE, source.name());
  }

  public Schema schema() {
    List<Types.NestedField> cols = new ArrayList<>();
    int id = 1;
    for (SourceField f : source.fields()) {
      cols.add(
          f.required()
              ? Types.NestedField.required(
                  id++, f.columnName(), FeatureTables.icebergType(f.type()))
              : Types.NestedField.optional(
                  id++, f.columnName(), FeatureTables.icebergType(f.type())));
    }
    return new Schema(cols);
  }

  public PartitionSpec spec() {
    return PartitionSpec.builderFor(schema()).day(eventTimeColumn()).build();
  }

  public String eventTimeColumn() {
    return source.field(source.eventTime()).orElseThrow().columnName();
  }

  /** The column holding the event id. */
  public String eventIdColumn() {
    return source.field(source.eventId()).orElseThrow().columnName();
  }

  public RowType rowType() {
    return FlinkSchemaUtil.convert(schema());
  }

  public Table createOrLoad(Warehouse warehouse) {
    return warehouse.createOrLoad(id(source), schema(), spec());
  }

  /** The event as a row of the raw table. */
  public RowData toRow(Event e) {
    GenericRowData row = new GenericRowData(types.length);
    for (int i = 0; i < types.length; i++) {
      Object v = e.values[i];
      if (v == null) continue;
      row.setField(
          i,
          switch (types[i]) {
            case STRING -> StringData.fromString((String) v);
            case TIMESTAMP -> TimestampData.fromEpochMillis((Long) v);
            default -> v;
          });
    }
    return row;
  }

  /** A raw-table row back to an event. */
  public Event toEvent(RowData row) {
    Object[] values = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      if (row.isNullAt(i)) continue;
      values[i] =
          switch (types[i]) {
            case STRING -> row.getString(i).toString();
            case LONG -> row.getLong(i);
            case DOUBLE -> row.getDouble(i);
            case BOOLEAN -> row.getBoolean(i);
            case TIMESTAMP -> row.getTimestamp(i, 6).getMillisecond();
          };
    }
    int t = source.indexOf(source.eventTime());
    int id = source.indexOf(source.eventId());
    return new Event((Long) values[t], (String) values[id], values);
  }
}
