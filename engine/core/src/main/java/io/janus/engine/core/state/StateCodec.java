package io.janus.engine.core.state;

import io.janus.engine.core.aggregate.LastState;
import io.janus.engine.core.aggregate.SumState;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;

/**
 * Self-describing binary form of the values kept in {@link KeyState}: aggregation IRs and feature
 * values, each behind a one-byte tag, so checkpoints need no knowledge of the group.
 */
final class StateCodec {
  private static final byte NULL = 0;
  private static final byte LONGS = 1;
  private static final byte DOUBLES = 2;
  private static final byte SUM = 3;
  private static final byte LAST = 4;
  private static final byte HLL = 5;
  private static final byte LONG = 6;
  private static final byte DOUBLE = 7;
  private static final byte STRING = 8;
  private static final byte BOOLEAN = 9;

  private StateCodec() {}

  static void write(Object v, DataOutput out) throws IOException {
    if (v == null) {
      out.writeByte(NULL);
    } else if (v instanceof long[] a) {
      out.writeByte(LONGS);
      out.writeInt(a.length);
      for (long x : a) out.writeLong(x);
    } else if (v instanceof double[] a) {
      out.writeByte(DOUBLES);
      out.writeInt(a.length);
      for (double x : a) out.writeDouble(x);
    } else if (v instanceof SumState s) {
      out.writeByte(SUM);
      byte[] unscaled = s.sum.unscaledValue().toByteArray();
      out.writeInt(s.sum.scale());
      out.writeInt(unscaled.length);
      out.write(unscaled);
      out.writeLong(s.count);
    } else if (v instanceof LastState l) {
      out.writeByte(LAST);
      out.writeLong(l.ts);
      writeString(l.eventId, out);
      out.writeDouble(l.num);
      writeString(l.str, out);
    } else if (v instanceof Union u) {
      out.writeByte(HLL);
      byte[] bytes = u.getResult(TgtHllType.HLL_8).toCompactByteArray();
      out.writeInt(bytes.length);
      out.write(bytes);
    } else if (v instanceof Long l) {
      out.writeByte(LONG);
      out.writeLong(l);
    } else if (v instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeDouble(d);
    } else if (v instanceof String s) {
      out.writeByte(STRING);
      writeString(s, out);
    } else if (v instanceof Boolean b) {
      out.writeByte(BOOLEAN);
      out.writeBoolean(b);
    } else {
      throw new IllegalArgumentException("cannot checkpoint a " + v.getClass().getName());
    }
  }

  static Object read(DataInput in) throws IOException {
    byte tag = in.readByte();
    switch (tag) {
      case NULL:
        return null;
      case LONGS:
        {
          long[] a = new long[in.readInt()];
          for (int i = 0; i < a.length; i++) a[i] = in.readLong();
          return a;
        }
      case DOUBLES:
        {
          double[] a = new double[in.readInt()];
          for (int i = 0; i < a.length; i++) a[i] = in.readDouble();
          return a;
        }
      case SUM:
        {
          int scale = in.readInt();
          byte[] unscaled = new byte[in.readInt()];
          in.readFully(unscaled);
          return new SumState(new BigDecimal(new BigInteger(unscaled), scale), in.readLong());
        }
      case LAST:
        return new LastState(in.readLong(), readString(in), in.readDouble(), readString(in));
      case HLL:
        {
          byte[] bytes = new byte[in.readInt()];
          in.readFully(bytes);
          Union u = new Union(io.janus.engine.core.aggregate.ApproxDistinctAggregator.LG_K);
          u.update(HllSketch.heapify(bytes));
          return u;
        }
      case LONG:
        return in.readLong();
      case DOUBLE:
        return in.readDouble();
      case STRING:
        return readString(in);
      case BOOLEAN:
        return in.readBoolean();
      default:
        throw new IOException("unknown state tag " + tag);
    }
  }

  static void writeArray(Object[] a, DataOutput out) throws IOException {
    if (a == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(a.length);
    for (Object v : a) write(v, out);
  }

  static Object[] readArray(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) return null;
    Object[] a = new Object[n];
    for (int i = 0; i < n; i++) a[i] = read(in);
    return a;
  }

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
}
