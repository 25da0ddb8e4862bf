package io.janus.engine.online.redis.source.split;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Serializes {@link RedisScanSplit}s for checkpoints and for shipping them to readers. Writes the
 * split id, so that a later version giving splits more fields can still read these.
 */
public final class RedisScanSplitSerializer implements SimpleVersionedSerializer<RedisScanSplit> {
  /** The shared instance: the serializer has no state. */
  public static final RedisScanSplitSerializer INSTANCE = new RedisScanSplitSerializer();

  private static final int VERSION = 1;

  private RedisScanSplitSerializer() {}

  /** The current format version. */
  @Override
  public int getVersion() {
    return VERSION;
  }

  /** The split id in UTF-8. */
  @Override
  public byte[] serialize(RedisScanSplit split) {
    return split.splitId().getBytes(StandardCharsets.UTF_8);
  }

  /** Reads a split written by {@link #serialize}; fails on an unknown version or id. */
  @Override
  public RedisScanSplit deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION)
      throw new IOException("unknown RedisScanSplit serializer version " + version);
    String id = new String(serialized, StandardCharsets.UTF_8);
    if (!RedisScanSplit.ID.equals(id)) throw new IOException("unknown RedisScanSplit id " + id);
    return new RedisScanSplit();
  }
}
