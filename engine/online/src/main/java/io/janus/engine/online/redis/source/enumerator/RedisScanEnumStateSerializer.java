package io.janus.engine.online.redis.source.enumerator;

import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Serializes the {@link RedisScanEnumerator}'s checkpoint state: whether the split has been
 * assigned, as one byte.
 */
public final class RedisScanEnumStateSerializer implements SimpleVersionedSerializer<Boolean> {
  /** The shared instance: the serializer has no state. */
  public static final RedisScanEnumStateSerializer INSTANCE = new RedisScanEnumStateSerializer();

  private static final int VERSION = 1;

  private RedisScanEnumStateSerializer() {}

  /** The current format version. */
  @Override
  public int getVersion() {
    return VERSION;
  }

  /** One byte: 1 when the split was assigned, 0 otherwise. */
  @Override
  public byte[] serialize(Boolean assigned) {
    return new byte[] {(byte) (assigned ? 1 : 0)};
  }

  /** Reads a state written by {@link #serialize}. */
  @Override
  public Boolean deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION)
      throw new IOException("unknown RedisScan enumerator state version " + version);
    if (serialized.length != 1)
      throw new IOException("corrupt RedisScan enumerator state: " + serialized.length + " bytes");
    return serialized[0] != 0;
  }
}
