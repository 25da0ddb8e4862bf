package io.janus.engine.iceberg;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.schema.FeatureSchema;
import io.janus.engine.core.schema.FieldType;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Layout of a group's offline feature table {@code features.<group>}: change rows partitioned by
 * {@code ds}.
 */
public final class FeatureTables {
  public static final String NAMESPACE = "features";
  public static final String VALID_FROM = FeatureSchema.VALID_FROM;
  public static final String DS = FeatureSchema.DS;

  private FeatureTables() {}

  public static TableIdentifier id(FeatureGroup group) {
    return Warehouse.id(NAMESPACE, group.name());
  }

  /** {@code (entity keys…, valid_from, features…, ds)}. */
  public static Schema schema(FeatureSchema schema) {
    List<Types.NestedField> cols = new ArrayList<>();
    int id = 1;
    for (FeatureSchema.Column k : schema.keys()) {
      cols.add(Types.NestedField.required(id++, k.name(), icebergType(k.type())));
    }
    cols.add(Types.NestedField.required(id++, VALID_FROM, Types.TimestampType.withZone()));
    for (FeatureSchema.Column f : schema.features()) {
      cols.add(Types.NestedField.optional(id++, f.name(), icebergType(f.type())));
    }
    cols.add(Types.NestedField.required(id, DS, Types.DateType.get()));
    return new Schema(cols);
  }

  public static PartitionSpec spec(Schema schema) {
    return PartitionSpec.builderFor(schema).identity(DS).build();
  }

  /** The Flink row type of {@link #schema}. */
  public static RowType rowType(FeatureSchema schema) {
    return FlinkSchemaUtil.convert(schema(schema));
  }

  /**
   * Table properties of feature tables, on top of {@link Warehouse#TABLE_PROPERTIES}: a Parquet
   * dictionary of at most 256 KB per column chunk instead of Iceberg's 2 MB. {@code valid_from}
   * holds a different time on nearly every row, so its dictionary always fills up and is dropped
   * for plain encoding; until then every value went through the dictionary's hash map, 8 % of a
   * backfill's CPU samples. The feature columns' dictionaries stay far below the limit, and the
   * files of {@code bench backfill} (5M events) kept their size (50 MB).
   */
  public static final java.util.Map<String, String> TABLE_PROPERTIES =
      java.util.Map.of("write.parquet.dict-size-bytes", "262144");

  /**
   * Loads or creates the table. A definition that gained features adds their columns (Iceberg
   * schema evolution by name); a column whose type changed is an error, since old rows would not
   * fit.
   */
  public static Table createOrLoad(Warehouse warehouse, FeatureGroup group) {
    Schema wanted = schema(group.schema());
    Table table = warehouse.createOrLoad(id(group), wanted, spec(wanted), TABLE_PROPERTIES);
    for (Types.NestedField f : wanted.columns()) {
      Types.NestedField existing = table.schema().findField(f.name());
      if (existing != null && !existing.type().equals(f.type())) {
        throw new IllegalStateException(
            "feature table "
                + id(group)
                + " has column '"
                + f.name()
                + "' of type "
                + existing.type()
                + " but definition "
                + group.origin()
                + " now makes it "
                + f.type()
                + "; give the group a new name or drop the table");
      }
    }
    if (wanted.columns().stream().anyMatch(f -> table.schema().findField(f.name()) == null)) {
      table.updateSchema().unionByNameWith(wanted).commit();
      table.refresh();
    }
    return table;
  }

  /**
   * Fails with a clear message when {@code table} lacks a feature of the definition (it was never
   * backfilled with it).
   */
  public static void requireColumns(Table table, FeatureGroup group) {
    for (String c : group.schema().featureNames()) {
      if (table.schema().findField(c) == null) {
        throw new IllegalStateException(
            "feature table "
                + id(group)
                + " has no column '"
                + c
                + "' of definition "
                + group.origin()
                + ": backfill with this definition first");
      }
    }
  }

  static Type icebergType(FieldType t) {
    return switch (t) {
      case STRING -> Types.StringType.get();
      case LONG -> Types.LongType.get();
      case DOUBLE -> Types.DoubleType.get();
      case BOOLEAN -> Types.BooleanType.get();
      case TIMESTAMP -> Types.TimestampType.withZone();
    };
  }
}
