package io.janus.engine.core.definition;

import io.janus.engine.core.schema.FieldType;
import java.io.Serializable;
import java.util.List;

/**
 * A field of an event source. Nested JSON fields use dotted names ({@code device.os}).
 *
 * @param name dotted field name
 * @param type field type
 * @param required whether an event without it is malformed
 * @param allowed allowed values (strings only), empty for any
 */
public record SourceField(String name, FieldType type, boolean required, List<String> allowed)
    implements Serializable {

  /** Column name in Iceberg tables: dots become underscores. */
  public String columnName() {
    return name.replace('.', '_');
  }
}
