package io.janus.engine.core.state;

import io.janus.engine.core.aggregate.Aggregator;
import io.janus.engine.core.plan.GroupPlan;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;

/**
 * Binary form of a group's {@link KeyState}: pending inputs, slices, current aggregates, last
 * values and the schedule. Each intermediate value is written by the aggregator that owns it (so a
 * new aggregation brings its own format and nothing here changes); feature values by {@link
 * ValueCodec}. Engines wrap it in their own serializer type.
 */
public final class KeyStateCodec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Per aggregation input: the aggregator of its IRs (pending inputs and slices). */
  private final Aggregator<Object>[] inputs;

  /** Per aggregated feature: the aggregator of its current IR. */
  private final Aggregator<Object>[] features;

  /**
   * The codec of {@code plan}'s key states.
   *
   * @param plan the compiled group whose states this codec writes and reads
   */
  @SuppressWarnings("unchecked")
  public KeyStateCodec(GroupPlan plan) {
    inputs = new Aggregator[plan.inputs().size()];
    for (int i = 0; i < inputs.length; i++)
      inputs[i] = Aggregator.erase(plan.inputs().get(i).aggregator());
    features = new Aggregator[plan.aggregatedFeatures()];
    for (int a = 0; a < features.length; a++) features[a] = inputs[plan.inputOf(a)];
  }

  /**
   * Writes {@code s} to {@code out}.
   *
   * @param s the key's state
   * @param out where to write it
   * @throws IOException when {@code out} fails
   */
  public void write(KeyState s, DataOutput out) throws IOException {
    writeMap(s.pending, out);
    if (s.pendingIds == null) {
      out.writeInt(0);
    } else {
      // Only ids still pending: those at or before lastFired are forgotten ones not swept yet.
      int live = 0;
      for (long at : s.pendingIds.values()) if (at > s.lastFired) live++;
      out.writeInt(live);
      for (java.util.Map.Entry<String, Long> e : s.pendingIds.entrySet()) {
        if (e.getValue() <= s.lastFired) continue;
        ValueCodec.write(e.getKey(), out);
        out.writeLong(e.getValue());
      }
    }
    writeMap(s.slices, out);
    writeIrs(s.current, features, out);
    if (s.lastValues == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(s.lastValues.length);
      for (Object v : s.lastValues) ValueCodec.write(v, out);
    }
    out.writeBoolean(s.emitted);
    long[] due = s.due.toArray();
    out.writeInt(due.length);
    for (long t : due) out.writeLong(t);
    out.writeLong(s.lastSliceRegistered);
    out.writeLong(s.lastFired);
    out.writeBoolean(s.endTimerRegistered);
    out.writeLong(s.nextTimer);
  }

  /**
   * Reads a state written by {@link #write}.
   *
   * @param in where to read it from
   * @return the key's state
   * @throws IOException when {@code in} fails or ends early
   */
  public KeyState read(DataInput in) throws IOException {
    KeyState s = new KeyState();
    s.pending = readMap(in);
    int ids = in.readInt();
    if (ids > 0) {
      // In the written order, so the state writes the same bytes again (the original's order
      // depends on its capacity, which ids not swept yet may have grown).
      s.pendingIds = new java.util.LinkedHashMap<>(ids * 2);
      for (int i = 0; i < ids; i++) s.pendingIds.put((String) ValueCodec.read(in), in.readLong());
    }
    s.slices = readMap(in);
    s.current = readIrs(features, in);
    int values = in.readInt();
    if (values >= 0) {
      s.lastValues = new Object[values];
      for (int i = 0; i < values; i++) s.lastValues[i] = ValueCodec.read(in);
    }
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
   * A deep copy of {@code s}, structure by structure: each intermediate value is copied by the
   * aggregator that owns it, feature values (immutable) are shared. Flink's heap state backend
   * copies every key state touched while a checkpoint is being written, so this runs for many keys
   * in a burst after each checkpoint; going through the binary form instead made those bursts
   * several times dearer and showed as the stream's freshness tail.
   *
   * @param s the key's state
   * @return an independent copy
   */
  public KeyState copy(KeyState s) {
    KeyState c = new KeyState();
    c.pending = copyMap(s.pending);
    c.pendingIds = s.pendingIds == null ? null : new java.util.HashMap<>(s.pendingIds);
    c.slices = copyMap(s.slices);
    c.current = copyIrs(s.current, features);
    c.lastValues = s.lastValues == null ? null : s.lastValues.clone();
    c.emitted = s.emitted;
    c.due = new TimeQueue();
    for (long t : s.due.toArray()) c.due.add(t);
    c.lastSliceRegistered = s.lastSliceRegistered;
    c.lastFired = s.lastFired;
    c.endTimerRegistered = s.endTimerRegistered;
    c.nextTimer = s.nextTimer;
    return c;
  }

  private TimeMap copyMap(TimeMap m) {
    TimeMap c = new TimeMap();
    for (int i = m.start(); i < m.end(); i++) c.put(m.keyAt(i), copyIrs(m.valueAt(i), inputs));
    return c;
  }

  private static Object[] copyIrs(Object[] irs, Aggregator<Object>[] owners) {
    if (irs == null) return null;
    Object[] c = new Object[irs.length];
    for (int i = 0; i < irs.length; i++) c[i] = irs[i] == null ? null : owners[i].copy(irs[i]);
    return c;
  }

  private void writeMap(TimeMap m, DataOutput out) throws IOException {
    out.writeInt(m.size());
    for (int i = m.start(); i < m.end(); i++) {
      out.writeLong(m.keyAt(i));
      writeIrs(m.valueAt(i), inputs, out);
    }
  }

  private TimeMap readMap(DataInput in) throws IOException {
    int n = in.readInt();
    TimeMap m = new TimeMap();
    for (int i = 0; i < n; i++) m.put(in.readLong(), readIrs(inputs, in));
    return m;
  }

  /** An IR array: its length (-1 for null), then per slot a presence flag and the IR. */
  private static void writeIrs(Object[] irs, Aggregator<Object>[] owners, DataOutput out)
      throws IOException {
    if (irs == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(irs.length);
    for (int i = 0; i < irs.length; i++) {
      out.writeBoolean(irs[i] != null);
      if (irs[i] != null) owners[i].write(irs[i], out);
    }
  }

  private static Object[] readIrs(Aggregator<Object>[] owners, DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) return null;
    if (n != owners.length) {
      throw new IOException(
          "state holds " + n + " intermediate values where the group has " + owners.length);
    }
    Object[] irs = new Object[n];
    for (int i = 0; i < n; i++) {
      if (in.readBoolean()) irs[i] = owners[i].read(in);
    }
    return irs;
  }
}
