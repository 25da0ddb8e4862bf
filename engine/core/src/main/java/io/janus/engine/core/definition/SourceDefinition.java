package io.janus.engine.core.definition;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * A declared event source: its schema, its event-time field and its event-id field.
 *
 * @param name source name referenced by groups
 * @param eventTime name of the timestamp field that is the event time
 * @param eventId name of the string field that identifies an event
 * @param fields every field, in declaration order
 */
public record SourceDefinition(
    String name, String eventTime, String eventId, List<SourceField> fields)
    implements Serializable {

  /** The field with this dotted name, if declared. */
  public Optional<SourceField> field(String fieldName) {
    return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
  }

  /** Position of the field in {@link #fields()}, or -1. */
  public int indexOf(String fieldName) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(fieldName)) {
        return i;
      }
    }
    return -1;
  }
}
