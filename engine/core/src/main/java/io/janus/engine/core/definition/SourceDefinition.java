package io.janus.engine.core.definition;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A declared event source: its schema, its event-time field, its event-id field, and the limits an
 * event must keep to be counted (larger payloads and event times further ahead of the clock go to
 * dead letters).
 *
 * @param name source name referenced by groups
 * @param eventTime name of the timestamp field that is the event time
 * @param eventId name of the string field that identifies an event
 * @param fields every field, in declaration order
 * @param maxPayloadBytes largest payload accepted, in UTF-8 bytes ({@code max_payload_bytes})
 * @param maxFutureSkew how far ahead of the processing (or ingest) clock an event time may be
 *     ({@code max_future_skew})
 */
public record SourceDefinition(
    String name,
    String eventTime,
    String eventId,
    List<SourceField> fields,
    long maxPayloadBytes,
    Duration maxFutureSkew)
    implements Serializable {

  /** 1 MiB. */
  public static final long DEFAULT_MAX_PAYLOAD_BYTES = 1L << 20;

  /** One hour. */
  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofHours(1);

  /** A source with the default limits. */
  public SourceDefinition(String name, String eventTime, String eventId, List<SourceField> fields) {
    this(name, eventTime, eventId, fields, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_FUTURE_SKEW);
  }

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
