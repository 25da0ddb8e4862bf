package io.janus.engine.core.aggregate.internal;

import io.janus.engine.core.aggregate.FixedTypeAggregation;
import io.janus.engine.core.schema.FieldType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Count of inputs; IR is a one-element long array. */
public final class CountAggregator extends FixedTypeAggregation<long[]> {
  /** The aggregator, which is also its aggregation's registry entry. */
  public CountAggregator() {
    super("count", Reads.EVENT_OR_VALUE, FieldType.LONG, true);
  }

  @Override
  public void write(long[] ir, DataOutput out) throws IOException {
    out.writeLong(ir[0]);
  }

  @Override
  public long[] read(DataInput in) throws IOException {
    return new long[] {in.readLong()};
  }

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
