package io.janus.engine.core.state;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Binary form of feature values (the column types: long, double, string, boolean, or null), each
 * behind a one-byte tag. Intermediate values of aggregations are not written here: each {@link
 * io.janus.engine.core.aggregate.Aggregator} writes its own.
 */
final class ValueCodec {
  private static final byte NULL = 0;
  private static final byte LONG = 6;
  private static final byte DOUBLE = 7;
  private static final byte STRING = 8;
  private static final byte BOOLEAN = 9;

  private ValueCodec() {}

  static void write(Object v, DataOutput out) throws IOException {
    if (v == null) {
      out.writeByte(NULL);
    } else if (v instanceof Long l) {
      out.writeByte(LONG);
      out.writeLong(l);
    } else if (v instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeDouble(d);
    } else if (v instanceof String s) {
      out.writeByte(STRING);
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    } else if (v instanceof Boolean b) {
      out.writeByte(BOOLEAN);
      out.writeBoolean(b);
    } else {
      throw new IllegalArgumentException("not a feature value: a " + v.getClass().getName());
    }
  }

  static Object read(DataInput in) throws IOException {
    byte tag = in.readByte();
    switch (tag) {
      case NULL:
        return null;
      case LONG:
        return in.readLong();
      case DOUBLE:
        return in.readDouble();
      case STRING:
        {
          byte[] b = new byte[in.readInt()];
          in.readFully(b);
          return new String(b, StandardCharsets.UTF_8);
        }
      case BOOLEAN:
        return in.readBoolean();
      default:
        throw new IOException("unknown value tag " + tag);
    }
  }
}
