package io.janus.engine.core.aggregate.internal;

import io.janus.engine.core.aggregate.Aggregation;
import io.janus.engine.core.aggregate.Aggregator;
import io.janus.engine.core.schema.FieldType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Value of the latest input by event time; ties are broken by the greater event id. */
public final class LastAggregator implements Aggregator<LastState>, Aggregation {
  /** {@code agg: last} in the registry; {@link #aggregator} gives one for the value's type. */
  public static final LastAggregator AGGREGATION = new LastAggregator(FieldType.DOUBLE);

  private final FieldType type;

  /**
   * @param type type of the value, which decides whether the numeric or the string part is kept
   */
  public LastAggregator(FieldType type) {
    this.type = type;
  }

  @Override
  public String name() {
    return "last";
  }

  @Override
  public Reads reads() {
    return Reads.ANY_VALUE;
  }

  @Override
  public FieldType resultType(FieldType valueType) {
    return valueType;
  }

  @Override
  public Aggregator<?> aggregator(FieldType valueType) {
    return valueType == type ? this : new LastAggregator(valueType);
  }

  @Override
  public void write(LastState ir, DataOutput out) throws IOException {
    out.writeLong(ir.ts);
    writeString(ir.eventId, out);
    out.writeDouble(ir.num);
    writeString(ir.str, out);
  }

  /** UTF-8 with an int length, -1 for null (values may exceed {@code writeUTF}'s 64 KB). */
  private static void writeString(String s, DataOutput out) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) return null;
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public LastState read(DataInput in) throws IOException {
    long ts = in.readLong();
    String eventId = readString(in);
    double num = in.readDouble();
    String str = readString(in);
    return new LastState(ts, eventId, num, str);
  }

  @Override
  public LastState prepare(double num, String str, long ts, String eventId) {
    return new LastState(ts, eventId, num, str);
  }

  @Override
  public LastState update(LastState ir, double num, String str, long ts, String eventId) {
    if (ts > ir.ts || (ts == ir.ts && eventId.compareTo(ir.eventId) > 0)) {
      ir.ts = ts;
      ir.eventId = eventId;
      ir.num = num;
      ir.str = str;
    }
    return ir;
  }

  @Override
  public LastState merge(LastState into, LastState other) {
    if (other == null) return into;
    if (into == null) return copy(other);
    if (other.after(into)) {
      into.ts = other.ts;
      into.eventId = other.eventId;
      into.num = other.num;
      into.str = other.str;
    }
    return into;
  }

  @Override
  public LastState copy(LastState ir) {
    return ir == null ? null : new LastState(ir.ts, ir.eventId, ir.num, ir.str);
  }

  @Override
  public Object result(LastState ir) {
    if (ir == null) return null;
    return switch (type) {
      case STRING -> ir.str;
      case LONG, TIMESTAMP -> (long) ir.num;
      case BOOLEAN -> ir.num != 0;
      case DOUBLE -> ir.num;
    };
  }
}
