package io.janus.engine.online.redis.source;

import io.janus.engine.online.KeyFilter;
import io.janus.engine.online.redis.source.enumerator.RedisScanEnumStateSerializer;
import io.janus.engine.online.redis.source.enumerator.RedisScanEnumerator;
import io.janus.engine.online.redis.source.reader.RedisScanReader;
import io.janus.engine.online.redis.source.split.RedisScanSplit;
import io.janus.engine.online.redis.source.split.RedisScanSplitSerializer;
import java.util.List;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Bounded Flink source reading every stored entity of one feature group from a Redis (on a Redis
 * Cluster, from every master: Lettuce's cluster-wide SCAN walks them one after the other), as
 * written by {@link io.janus.engine.online.redis.RedisOnlineStore}: one hash per key {@code
 * <group>:<entity>}. Emits one {@code String[]} per feature hash: index 0 the entity key (the part
 * after {@code <group>:}), 1 {@code _valid_from}, 2 {@code _version}, then the value of {@code
 * fields.get(i)} at {@code 3 + i} (null where the hash lacks it).
 *
 * <p>Keys are walked with {@code SCAN ... MATCH <group>:*}, which never blocks the server (unlike
 * {@code KEYS}) and sees every key present for the whole scan; keys written or deleted meanwhile
 * may or may not be seen, and SCAN may return a key twice if the key space shrinks during the scan.
 * Keys the filter rejects, keys under {@code _janus:} (metadata), keys that are not hashes and
 * hashes without {@code _valid_from} are skipped.
 *
 * <p>One SCAN cursor cannot be shared, so there is a single split and one reader does all the work;
 * the other readers finish at once. Nothing of the cursor is checkpointed: a restart scans again
 * from the start, re-emitting what was already emitted, which suits a batch check.
 */
public final class RedisScanSource
    implements Source<String[], RedisScanSplit, Boolean>, ResultTypeQueryable<String[]> {
  private static final long serialVersionUID = 1L;

  private final String redisUri;
  private final String group;
  private final List<String> fields;
  private final KeyFilter filter;

  /**
   * @param redisUri as {@link io.lettuce.core.RedisURI#create(String)} reads it, so it may carry a
   *     password and TLS ({@code rediss://:secret@host:6380})
   * @param group the feature group whose keys ({@code <group>:*}) are read
   * @param fields the hash fields emitted after {@code _valid_from} and {@code _version}
   * @param filter which entity keys to read
   */
  public RedisScanSource(String redisUri, String group, List<String> fields, KeyFilter filter) {
    this.redisUri = redisUri;
    this.group = group;
    this.fields = List.copyOf(fields);
    this.filter = filter;
  }

  /** Bounded: the scan ends when the cursor does. */
  @Override
  public Boundedness getBoundedness() {
    return Boundedness.BOUNDED;
  }

  /** A reader per subtask; only the one given the split connects to Redis. */
  @Override
  public SourceReader<String[], RedisScanSplit> createReader(SourceReaderContext readerContext) {
    return new RedisScanReader(readerContext, redisUri, group, fields, filter);
  }

  /** An enumerator whose split is still to be assigned. */
  @Override
  public SplitEnumerator<RedisScanSplit, Boolean> createEnumerator(
      SplitEnumeratorContext<RedisScanSplit> enumContext) {
    return new RedisScanEnumerator(enumContext, false);
  }

  /** An enumerator that remembers whether the split was assigned before the checkpoint. */
  @Override
  public SplitEnumerator<RedisScanSplit, Boolean> restoreEnumerator(
      SplitEnumeratorContext<RedisScanSplit> enumContext, Boolean assigned) {
    return new RedisScanEnumerator(enumContext, assigned);
  }

  /** See {@link RedisScanSplitSerializer}. */
  @Override
  public SimpleVersionedSerializer<RedisScanSplit> getSplitSerializer() {
    return RedisScanSplitSerializer.INSTANCE;
  }

  /** See {@link RedisScanEnumStateSerializer}. */
  @Override
  public SimpleVersionedSerializer<Boolean> getEnumeratorCheckpointSerializer() {
    return RedisScanEnumStateSerializer.INSTANCE;
  }

  /** {@code String[]}, so {@code env.fromSource} needs no explicit type. */
  @Override
  public TypeInformation<String[]> getProducedType() {
    return BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO;
  }
}
