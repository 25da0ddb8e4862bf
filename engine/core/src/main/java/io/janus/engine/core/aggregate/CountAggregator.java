package io.janus.engine.core.aggregate;

/** Count of inputs; IR is a one-element long array. */
public final class CountAggregator implements Aggregator<long[]> {
  @Override
  public long[] prepare(double num, String str, long ts, String eventId) {
    return new long[] {1};
  }

  @Override
  public long[] update(long[] ir, double num, String str, long ts, String eventId) {
    ir[0]++;
    return ir;
  }

  @Override
  public long[] merge(long[] into, long[] other) {
    if (other == null) return into;
    if (into == null) return copy(other);
    into[0] += other[0];
    return into;
  }

  @Override
  public long[] copy(long[] ir) {
    return ir == null ? null : new long[] {ir[0]};
  }

  @Override
  public Object result(long[] ir) {
    return ir == null ? 0L : ir[0];
  }

  @Override
  public boolean invertible() {
    return true;
  }

  @Override
  public long[] subtract(long[] from, long[] removed) {
    if (removed == null) return from;
    from[0] -= removed[0];
    return from;
  }
}
