package io.janus.engine.core.aggregate.internal;

import io.janus.engine.core.aggregate.FixedTypeAggregation;
import io.janus.engine.core.schema.FieldType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Minimum ({@code max == false}) or maximum of a numeric input; IR is a one-element double array.
 */
public final class ExtremumAggregator extends FixedTypeAggregation<double[]> {
  private final boolean max;

  public ExtremumAggregator(boolean max) {
    super(max ? "max" : "min", Reads.NUMBER, FieldType.DOUBLE, false);
    this.max = max;
  }

  @Override
  public void write(double[] ir, DataOutput out) throws IOException {
    out.writeDouble(ir[0]);
  }

  @Override
  public double[] read(DataInput in) throws IOException {
    return new double[] {in.readDouble()};
  }

  @Override
  public double[] prepare(double num, String str, long ts, String eventId) {
    return new double[] {num};
  }

  @Override
  public double[] update(double[] ir, double num, String str, long ts, String eventId) {
    ir[0] = pick(ir[0], num);
    return ir;
  }

  @Override
  public double[] merge(double[] into, double[] other) {
    if (other == null) return into;
    if (into == null) return copy(other);
    into[0] = pick(into[0], other[0]);
    return into;
  }

  private double pick(double a, double b) {
    return max ? Math.max(a, b) : Math.min(a, b);
  }

  @Override
  public double[] copy(double[] ir) {
    return ir == null ? null : new double[] {ir[0]};
  }

  @Override
  public Object result(double[] ir) {
    return ir == null ? null : ir[0];
  }
}
