package io.janus.engine.flink.compute.internal;

import io.janus.engine.core.state.Contribution;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Compact serializer of {@link Contribution}: the key, time, id and presence mask, then only the
 * values that are present. Every event crosses the keyBy shuffle (and BATCH's sort) in this form,
 * so it avoids the reflection of Flink's POJO serializer and never writes absent values.
 */
public final class ContributionSerializer extends TypeSerializerSingleton<Contribution> {
  public static final ContributionSerializer INSTANCE = new ContributionSerializer();
  private static final int HAS_NUM = 1;
  private static final int HAS_STR = 2;

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public Contribution createInstance() {
    return new Contribution();
  }

  @Override
  public Contribution copy(Contribution from) {
    return new Contribution(
        from.key,
        from.ts,
        from.eventId,
        from.mask,
        from.num == null ? null : from.num.clone(),
        from.str == null ? null : from.str.clone());
  }

  @Override
  public Contribution copy(Contribution from, Contribution reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Contribution c, DataOutputView out) throws IOException {
    StringValue.writeString(c.key, out);
    out.writeLong(c.ts);
    StringValue.writeString(c.eventId == null ? "" : c.eventId, out);
    out.writeLong(c.mask);
    int width = Math.max(c.num == null ? 0 : c.num.length, c.str == null ? 0 : c.str.length);
    out.writeByte(width);
    long mask = c.mask;
    while (mask != 0) {
      int i = Long.numberOfTrailingZeros(mask);
      mask &= mask - 1;
      boolean num = c.num != null && i < c.num.length;
      String s = c.str != null && i < c.str.length ? c.str[i] : null;
      out.writeByte((num ? HAS_NUM : 0) | (s != null ? HAS_STR : 0));
      if (num) out.writeDouble(c.num[i]);
      if (s != null) StringValue.writeString(s, out);
    }
  }

  @Override
  public Contribution deserialize(DataInputView in) throws IOException {
    Contribution c = new Contribution();
    c.key = StringValue.readString(in);
    c.ts = in.readLong();
    c.eventId = StringValue.readString(in);
    c.mask = in.readLong();
    int width = in.readUnsignedByte();
    long mask = c.mask;
    while (mask != 0) {
      int i = Long.numberOfTrailingZeros(mask);
      mask &= mask - 1;
      int flags = in.readUnsignedByte();
      if ((flags & HAS_NUM) != 0) {
        if (c.num == null) c.num = new double[width];
        c.num[i] = in.readDouble();
      }
      if ((flags & HAS_STR) != 0) {
        if (c.str == null) c.str = new String[width];
        c.str[i] = StringValue.readString(in);
      }
    }
    return c;
  }

  @Override
  public Contribution deserialize(Contribution reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  /**
   * Copies one serialized contribution field by field, without building it: BATCH's sort copies
   * every record this way when it spills. Deserializing and serializing again (strings decoded and
   * encoded, objects allocated) made that copy 9.5 % of a backfill's CPU samples; measured warm on
   * records of 4 values, 77 ns a record this way against 109 ns, with no garbage. The bytes written
   * are the ones {@link #serialize} writes for the record.
   */
  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    StringValue.copyString(in, out);
    out.writeLong(in.readLong());
    StringValue.copyString(in, out);
    long mask = in.readLong();
    out.writeLong(mask);
    out.writeByte(in.readUnsignedByte());
    for (int n = Long.bitCount(mask); n > 0; n--) {
      int flags = in.readUnsignedByte();
      out.writeByte(flags);
      if ((flags & HAS_NUM) != 0) out.writeLong(in.readLong()); // a double's bits, as written
      if ((flags & HAS_STR) != 0) StringValue.copyString(in, out);
    }
  }

  @Override
  public TypeSerializerSnapshot<Contribution> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Snapshot for savepoint compatibility; the format has one version so far. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<Contribution> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
