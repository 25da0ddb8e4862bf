package io.janus.engine.core.aggregate.internal;

import io.janus.engine.core.aggregate.FixedTypeAggregation;
import io.janus.engine.core.schema.FieldType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Seconds between the first and the last input's event time; IR is {@code [min ts, max ts]}. */
public final class DurationAggregator extends FixedTypeAggregation<long[]> {
  /** The aggregator, which is also its aggregation's registry entry. */
  public DurationAggregator() {
    super("duration", Reads.EVENT, FieldType.DOUBLE, true);
  }

  @Override
  public void write(long[] ir, DataOutput out) throws IOException {
    out.writeLong(ir[0]);
    out.writeLong(ir[1]);
  }

  @Override
  public long[] read(DataInput in) throws IOException {
    return new long[] {in.readLong(), in.readLong()};
  }

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
