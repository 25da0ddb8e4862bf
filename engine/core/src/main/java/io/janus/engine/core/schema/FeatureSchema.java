package io.janus.engine.core.schema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The output schema of a feature group, apart from how it is computed: the entity key columns, then
 * {@code valid_from}, then one column per feature with its result type, then the {@code ds}
 * partition. Every store (the offline table, the online hash) and every check (audit, parity) reads
 * column names and types from here.
 *
 * @param group the group's name (table {@code features.<group>} and online key prefix)
 * @param version the group's definition version
 * @param keys the entity key columns with their source types, in order
 * @param features the feature columns, in definition order
 */
public record FeatureSchema(String group, int version, List<Column> keys, List<Column> features)
    implements Serializable {
  /** The column holding the time from which a row is valid (UTC timestamp, milliseconds). */
  public static final String VALID_FROM = "valid_from";

  /** The day partition of the offline table: the UTC date of {@code valid_from}. */
  public static final String DS = "ds";

  /**
   * One feature column.
   *
   * @param name the column name
   * @param type the result type of the feature
   */
  public record Column(String name, FieldType type) implements Serializable {
    /** Checks that both parts are present. */
    public Column {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }

  /** Copies the lists so the schema stays immutable. */
  public FeatureSchema {
    Objects.requireNonNull(group, "group");
    keys = List.copyOf(keys);
    features = List.copyOf(features);
  }

  /** Every column name in table order: keys, {@code valid_from}, features, {@code ds}. */
  public List<String> columnNames() {
    List<String> names = new ArrayList<>();
    keys.forEach(k -> names.add(k.name()));
    names.add(VALID_FROM);
    names.addAll(featureNames());
    names.add(DS);
    return names;
  }

  /** The entity key column names, in order. */
  public List<String> keyNames() {
    return keys.stream().map(Column::name).toList();
  }

  /** The feature column names, in order. */
  public List<String> featureNames() {
    return features.stream().map(Column::name).toList();
  }

  /** The result type of each feature column, in order. */
  public FieldType[] featureTypes() {
    return features.stream().map(Column::type).toArray(FieldType[]::new);
  }
}
