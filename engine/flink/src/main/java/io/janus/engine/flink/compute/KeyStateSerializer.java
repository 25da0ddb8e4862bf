package io.janus.engine.flink.compute;

import io.janus.engine.core.state.KeyState;
import io.janus.engine.core.state.KeyStateCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Flink serializer of {@link KeyState}, in {@link KeyStateCodec}'s binary form. */
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
    return KeyStateCodec.copy(from);
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
    KeyStateCodec.write(s, out);
  }

  @Override
  public KeyState deserialize(DataInputView in) throws IOException {
    return KeyStateCodec.read(in);
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
