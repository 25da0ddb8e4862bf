package io.janus.engine.core.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Binary form of a {@link KeyState}: pending inputs, slices, current aggregates, last values and
 * the schedule, with IRs and values in {@link StateCodec}'s self-describing form (no Kryo, no
 * knowledge of the group needed to restore). Engines wrap it in their own serializer type.
 */
public final class KeyStateCodec {
  private KeyStateCodec() {}

  /** Writes {@code s} to {@code out}. */
  public static void write(KeyState s, DataOutput out) throws IOException {
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

  /** Reads a state written by {@link #write}. */
  public static KeyState read(DataInput in) throws IOException {
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

  /**
   * A deep copy of {@code s}, through its binary form (what a checkpoint and restore would give).
   */
  public static KeyState copy(KeyState s) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      write(s, new DataOutputStream(bytes));
      return read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeMap(TimeMap m, DataOutput out) throws IOException {
    out.writeInt(m.size());
    for (int i = m.start(); i < m.end(); i++) {
      out.writeLong(m.keyAt(i));
      StateCodec.writeArray(m.valueAt(i), out);
    }
  }

  private static TimeMap readMap(DataInput in) throws IOException {
    int n = in.readInt();
    TimeMap m = new TimeMap();
    for (int i = 0; i < n; i++) m.put(in.readLong(), StateCodec.readArray(in));
    return m;
  }
}
