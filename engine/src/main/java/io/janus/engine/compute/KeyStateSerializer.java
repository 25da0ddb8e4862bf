package io.janus.engine.compute;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Checkpoint form of {@link KeyState}: pending inputs, slices, current aggregates, last values and
 * the schedule, with IRs in {@link StateCodec}'s self-describing form (no Kryo, no knowledge of the
 * group needed to restore).
 */
public final class KeyStateSerializer extends TypeSerializerSingleton<KeyState> {
  public static final KeyStateSerializer INSTANCE = new KeyStateSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public KeyState createInstance() {
    return new KeyState();
  }

  @Override
  public KeyState copy(KeyState from) {
    try {
      org.apache.flink.core.memory.DataOutputSerializer out = new org.apache.flink.core.memory.DataOutputSerializer(256);
      serialize(from, out);
      return deserialize(new org.apache.flink.core.memory.DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public KeyState copy(KeyState from, KeyState reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(KeyState s, DataOutputView out) throws IOException {
    writeMap(s.pending, out);
    writeMap(s.slices, out);
    StateCodec.writeArray(s.current, out);
    StateCodec.writeArray(s.lastValues, out);
    out.writeBoolean(s.emitted);
    long[] due = s.due.toArray();
    out.writeInt(due.length);
    for (long t : due) out.writeLong(t);
    out.writeLong(s.lastSliceRegistered);
    out.writeLong(s.lastFired);
    out.writeBoolean(s.endTimerRegistered);
    out.writeLong(s.nextTimer);
  }

  @Override
  public KeyState deserialize(DataInputView in) throws IOException {
    KeyState s = new KeyState();
    s.pending = readMap(in);
    s.slices = readMap(in);
    s.current = StateCodec.readArray(in);
    s.lastValues = StateCodec.readArray(in);
    s.emitted = in.readBoolean();
    int due = in.readInt();
    s.due = new TimeQueue();
    for (int i = 0; i < due; i++) s.due.add(in.readLong());
    s.lastSliceRegistered = in.readLong();
    s.lastFired = in.readLong();
    s.endTimerRegistered = in.readBoolean();
    s.nextTimer = in.readLong();
    return s;
  }

  @Override
  public KeyState deserialize(KeyState reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  private static void writeMap(TimeMap m, DataOutputView out) throws IOException {
    out.writeInt(m.size());
    for (int i = m.start(); i < m.end(); i++) {
      out.writeLong(m.keyAt(i));
      StateCodec.writeArray(m.valueAt(i), out);
    }
  }

  private static TimeMap readMap(DataInputView in) throws IOException {
    int n = in.readInt();
    TimeMap m = new TimeMap();
    for (int i = 0; i < n; i++) m.put(in.readLong(), StateCodec.readArray(in));
    return m;
  }

  @Override
  public TypeSerializerSnapshot<KeyState> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Snapshot for savepoint compatibility; the format has one version so far. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<KeyState> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
