package io.janus.engine.core.aggregate.internal;

import java.io.Serializable;

/** The latest input seen: its event time and id (the order) and its value. */
public final class LastState implements Serializable {
  public long ts;
  public String eventId;
  public double num;
  public String str;

  public LastState() {}

  public LastState(long ts, String eventId, double num, String str) {
    this.ts = ts;
    this.eventId = eventId;
    this.num = num;
    this.str = str;
  }

  /**
   * True when this input comes after {@code other}: later event time, ties broken by the greater
   * event id.
   */
  boolean after(LastState other) {
    if (ts != other.ts) return ts > other.ts;
    return eventId.compareTo(other.eventId) > 0;
  }
}
