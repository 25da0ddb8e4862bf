package io.janus.engine.core.aggregate.internal;

import io.janus.engine.core.aggregate.FixedTypeAggregation;
import io.janus.engine.core.schema.FieldType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Sum ({@code avg == false}) or mean ({@code avg == true}) of a numeric input, exact and
 * invertible.
 */
public final class SumAggregator extends FixedTypeAggregation<SumState> {
  private final boolean avg;

  public SumAggregator(boolean avg) {
    super(avg ? "avg" : "sum", Reads.NUMBER, FieldType.DOUBLE, false);
    this.avg = avg;
  }

  @Override
  public void write(SumState ir, DataOutput out) throws IOException {
    byte[] unscaled = ir.sum.unscaledValue().toByteArray();
    out.writeInt(ir.sum.scale());
    out.writeInt(unscaled.length);
    out.write(unscaled);
    out.writeLong(ir.count);
  }

  @Override
  public SumState read(DataInput in) throws IOException {
    int scale = in.readInt();
    byte[] unscaled = new byte[in.readInt()];
    in.readFully(unscaled);
    return new SumState(new BigDecimal(new BigInteger(unscaled), scale), in.readLong());
  }

  @Override
  public SumState prepare(double num, String str, long ts, String eventId) {
    return new SumState(BigDecimal.valueOf(num), 1);
  }

  @Override
  public SumState update(SumState ir, double num, String str, long ts, String eventId) {
    ir.sum = ir.sum.add(BigDecimal.valueOf(num));
    ir.count++;
    return ir;
  }

  @Override
  public SumState merge(SumState into, SumState other) {
    if (other == null) return into;
    if (into == null) return copy(other);
    into.sum = into.sum.add(other.sum);
    into.count += other.count;
    return into;
  }

  @Override
  public SumState copy(SumState ir) {
    return ir == null ? null : new SumState(ir.sum, ir.count);
  }

  @Override
  public Object result(SumState ir) {
    if (avg) {
      return ir == null || ir.count == 0 ? null : ir.sum.doubleValue() / ir.count;
    }
    return ir == null ? 0.0 : ir.sum.doubleValue();
  }

  @Override
  public boolean invertible() {
    return true;
  }

  @Override
  public SumState subtract(SumState from, SumState removed) {
    if (removed == null) return from;
    from.sum = from.sum.subtract(removed.sum);
    from.count -= removed.count;
    if (from.count == 0) {
      from.sum = BigDecimal.ZERO; // drop the scale the removed values left behind
    }
    return from;
  }
}
