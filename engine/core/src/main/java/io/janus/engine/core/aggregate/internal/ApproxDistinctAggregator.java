package io.janus.engine.core.aggregate.internal;

import io.janus.engine.core.aggregate.FixedTypeAggregation;
import io.janus.engine.core.schema.FieldType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;

/**
 * Approximate count of distinct values with an Apache DataSketches HyperLogLog union (lgK 12, about
 * 1.6 % relative error; exact for small counts, where the sketch is still a list of coupons).
 */
public final class ApproxDistinctAggregator extends FixedTypeAggregation<Union> {
  /** The aggregator, which is also its aggregation's registry entry. */
  public ApproxDistinctAggregator() {
    super("approx_count_distinct", Reads.TEXT, FieldType.LONG, true);
  }

  /** log2 of the number of HLL buckets. */
  public static final int LG_K = 12;

  @Override
  public void write(Union ir, DataOutput out) throws IOException {
    byte[] bytes = ir.getResult(TgtHllType.HLL_8).toCompactByteArray();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  @Override
  public Union read(DataInput in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    Union u = new Union(LG_K);
    u.update(HllSketch.heapify(bytes));
    return u;
  }

  @Override
  public Union prepare(double num, String str, long ts, String eventId) {
    Union u = new Union(LG_K);
    u.update(str);
    return u;
  }

  @Override
  public Union update(Union ir, double num, String str, long ts, String eventId) {
    ir.update(str);
    return ir;
  }

  @Override
  public Union merge(Union into, Union other) {
    if (other == null) return into;
    if (into == null) return copy(other);
    into.update(other.getResult(TgtHllType.HLL_8));
    return into;
  }

  @Override
  public Union copy(Union ir) {
    if (ir == null) return null;
    Union u = new Union(LG_K);
    u.update(ir.getResult(TgtHllType.HLL_8));
    return u;
  }

  @Override
  public Object result(Union ir) {
    return ir == null ? 0L : Math.round(ir.getEstimate());
  }
}
