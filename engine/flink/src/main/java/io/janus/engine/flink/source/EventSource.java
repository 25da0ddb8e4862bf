package io.janus.engine.flink.source;

import io.janus.engine.core.event.Event;
import java.io.Serializable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Where a pipeline's events come from: the raw Iceberg table, a file, Kafka, a generator. */
public interface EventSource extends Serializable {

  /**
   * The events with event time in {@code [fromMs, toMs)} (bounded sources) or all events from now
   * on (unbounded ones, which may ignore the bounds).
   */
  DataStream<Event> events(StreamExecutionEnvironment env, long fromMs, long toMs);

  /**
   * Markers of the keys that had events before {@code beforeMs}: events with only the entity fields
   * set and event time {@code beforeMs - 1}. A backfill reads events from one window before its
   * range; these markers tell it which keys already wrote rows earlier, so a key's "first row" is
   * first in its whole history, as in streaming. Null when the source has no history.
   */
  default DataStream<Event> keysBefore(
      StreamExecutionEnvironment env, long beforeMs, java.util.List<String> entityFields) {
    return null;
  }

  /**
   * The days (UTC) on which the source holds events, for the audit's coverage rules; empty when it
   * does not know (then those rules do not apply).
   */
  default java.util.SortedSet<java.time.LocalDate> days() {
    return new java.util.TreeSet<>();
  }

  /**
   * This source, reading only {@code fields} of each event where it can (a columnar table skips the
   * other columns); the other fields of its events may be null. Event time and id are always read.
   * Sources that cannot skip fields return themselves.
   *
   * @param fields source field names
   * @return the source
   */
  default EventSource reading(java.util.Set<String> fields) {
    return this;
  }

  /** A short description for logs and job names. */
  String describe();
}
