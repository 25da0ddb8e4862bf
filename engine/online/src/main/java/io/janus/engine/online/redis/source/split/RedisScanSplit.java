package io.janus.engine.online.redis.source.split;

import io.janus.engine.online.redis.source.RedisScanSource;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * The one split of a {@link RedisScanSource}: the whole key space of a standalone Redis, walked by
 * a single SCAN cursor. It carries no cursor position: a SCAN cursor is only meaningful to the
 * server that issued it (and not across a restart or a failover), so a restored split scans again
 * from the start.
 */
public final class RedisScanSplit implements SourceSplit {
  /** The id of the only split. */
  public static final String ID = "scan";

  /** The split; all instances are equal. */
  public RedisScanSplit() {}

  /** Always {@value #ID}. */
  @Override
  public String splitId() {
    return ID;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RedisScanSplit;
  }

  @Override
  public int hashCode() {
    return ID.hashCode();
  }

  @Override
  public String toString() {
    return "RedisScanSplit[" + ID + "]";
  }
}
