package io.janus.engine.flink.compute.internal;

import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.state.KeyState;
import io.janus.engine.core.state.KeyStateCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.InstantiationUtil;

/**
 * Flink serializer of one group's {@link KeyState}, in {@link KeyStateCodec}'s binary form (each
 * intermediate value written by its own aggregator; no Kryo). Its snapshot carries the compiled
 * group, so a savepoint restores without the job's code knowing the group in advance, and a group
 * whose definition changed (another fingerprint) is refused rather than misread.
 */
public final class KeyStateSerializer extends TypeSerializer<KeyState> {
  private static final long serialVersionUID = 1L;

  private final GroupPlan plan;
  private final KeyStateCodec codec;

  /**
   * The serializer of {@code plan}'s key states.
   *
   * @param plan the compiled group
   */
  public KeyStateSerializer(GroupPlan plan) {
    this.plan = plan;
    this.codec = new KeyStateCodec(plan);
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<KeyState> duplicate() {
    return this; // stateless: the codec and the aggregators keep nothing between calls
  }

  @Override
  public KeyState createInstance() {
    return new KeyState();
  }

  @Override
  public KeyState copy(KeyState from) {
    return codec.copy(from);
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
    codec.write(s, out);
  }

  @Override
  public KeyState deserialize(DataInputView in) throws IOException {
    return codec.read(in);
  }

  @Override
  public KeyState deserialize(KeyState reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyStateSerializer other && fingerprint().equals(other.fingerprint());
  }

  @Override
  public int hashCode() {
    return fingerprint().hashCode();
  }

  private String fingerprint() {
    return plan.group().fingerprint();
  }

  @Override
  public TypeSerializerSnapshot<KeyState> snapshotConfiguration() {
    return new Snapshot(plan);
  }

  /** The serializer's configuration in a checkpoint or savepoint: the compiled group itself. */
  public static final class Snapshot implements TypeSerializerSnapshot<KeyState> {
    // Version 2: key states carry the event ids of their pending inputs.
    private static final int VERSION = 2;
    private GroupPlan plan;
    private int version = VERSION;

    /** For Flink, which instantiates snapshots by reflection before reading them. */
    public Snapshot() {}

    Snapshot(GroupPlan plan) {
      this.plan = plan;
    }

    @Override
    public int getCurrentVersion() {
      return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      byte[] bytes = InstantiationUtil.serializeObject(plan);
      out.writeInt(bytes.length);
      out.write(bytes);
    }

    @Override
    public void readSnapshot(int version, DataInputView in, ClassLoader classLoader)
        throws IOException {
      this.version = version;
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      try {
        plan = InstantiationUtil.deserializeObject(bytes, classLoader);
      } catch (ClassNotFoundException e) {
        throw new IOException("cannot restore the group plan of a key-state snapshot", e);
      }
    }

    @Override
    public TypeSerializer<KeyState> restoreSerializer() {
      return new KeyStateSerializer(plan);
    }

    /**
     * Compatible as is when the group's definition is the same (same fingerprint) and the state was
     * written in this version's layout; else incompatible.
     */
    @Override
    public TypeSerializerSchemaCompatibility<KeyState> resolveSchemaCompatibility(
        TypeSerializerSnapshot<KeyState> old) {
      if (old instanceof Snapshot o
          && o.version == VERSION
          && o.plan != null
          && o.plan.group().fingerprint().equals(plan.group().fingerprint())) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      return TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}
