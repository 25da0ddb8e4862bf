package io.janus.engine.core.event;

import java.util.Arrays;

/**
 * One parsed source event: event time (epoch ms), event id and the values of the source's fields in
 * declaration order (String, Long, Double, Boolean; timestamps as Long epoch ms; null when absent).
 */
public final class Event {
  public long ts;
  public String id;
  public Object[] values;

  public Event() {}

  public Event(long ts, String id, Object[] values) {
    this.ts = ts;
    this.id = id;
    this.values = values;
  }

  @Override
  public String toString() {
    return "Event{" + id + "@" + ts + " " + Arrays.toString(values) + "}";
  }
}
