package io.janus.engine.core.aggregate;

import io.janus.engine.core.schema.FieldType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * An aggregation added the way a user would add one: this one class, registered as a service in
 * {@code META-INF/services}. {@code agg: max_abs} is the greatest absolute value of {@code of}.
 */
public final class MaxAbsAggregation extends FixedTypeAggregation<double[]> {
  public MaxAbsAggregation() {
    super("max_abs", Reads.NUMBER, FieldType.DOUBLE, true);
  }

  @Override
  public double[] prepare(double num, String str, long ts, String eventId) {
    return new double[] {Math.abs(num)};
  }

  @Override
  public double[] update(double[] ir, double num, String str, long ts, String eventId) {
    ir[0] = Math.max(ir[0], Math.abs(num));
    return ir;
  }

  @Override
  public double[] merge(double[] into, double[] other) {
    if (other == null) return into;
    if (into == null) return copy(other);
    into[0] = Math.max(into[0], other[0]);
    return into;
  }

  @Override
  public double[] copy(double[] ir) {
    return ir == null ? null : new double[] {ir[0]};
  }

  @Override
  public Object result(double[] ir) {
    return ir == null ? null : ir[0];
  }

  @Override
  public void write(double[] ir, DataOutput out) throws IOException {
    out.writeDouble(ir[0]);
  }

  @Override
  public double[] read(DataInput in) throws IOException {
    return new double[] {in.readDouble()};
  }
}
