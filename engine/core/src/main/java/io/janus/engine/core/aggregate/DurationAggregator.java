package io.janus.engine.core.aggregate;

/** Seconds between the first and the last input's event time; IR is {@code [min ts, max ts]}. */
public final class DurationAggregator implements Aggregator<long[]> {
  @Override
  public long[] prepare(double num, String str, long ts, String eventId) {
    return new long[] {ts, ts};
  }

  @Override
  public long[] update(long[] ir, double num, String str, long ts, String eventId) {
    ir[0] = Math.min(ir[0], ts);
    ir[1] = Math.max(ir[1], ts);
    return ir;
  }

  @Override
  public long[] merge(long[] into, long[] other) {
    if (other == null) return into;
    if (into == null) return copy(other);
    into[0] = Math.min(into[0], other[0]);
    into[1] = Math.max(into[1], other[1]);
    return into;
  }

  @Override
  public long[] copy(long[] ir) {
    return ir == null ? null : new long[] {ir[0], ir[1]};
  }

  @Override
  public Object result(long[] ir) {
    return ir == null ? null : (ir[1] - ir[0]) / 1000.0;
  }
}
