package io.janus.engine.core.state;

import io.janus.engine.core.plan.GroupPlan;

/**
 * What one event contributes to a group's aggregations, produced before the shuffle so only the
 * needed values travel: the entity key, the event time and id, and per aggregation input a presence
 * bit ({@code mask}) plus a numeric or string value. A Flink POJO.
 */
public final class Contribution {
  /** Entity key values joined by {@link GroupPlan#KEY_SEPARATOR}. */
  public String key;

  /** Event time, epoch milliseconds. */
  public long ts;

  public String eventId;

  /** Bit i set when input i matched its filter and had a value. */
  public long mask;

  public double[] num;
  public String[] str;

  public Contribution() {}

  public Contribution(String key, long ts, String eventId, long mask, double[] num, String[] str) {
    this.key = key;
    this.ts = ts;
    this.eventId = eventId;
    this.mask = mask;
    this.num = num;
    this.str = str;
  }

  public boolean has(int input) {
    return (mask & (1L << input)) != 0;
  }
}
