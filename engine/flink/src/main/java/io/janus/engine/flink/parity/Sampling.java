package io.janus.engine.flink.parity;

import java.nio.charset.StandardCharsets;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * Deterministic key sampling: a key is in the sample when its hash falls below a threshold, so the
 * online and the offline side pick the same keys without talking to each other, and re-running a
 * check looks at the same keys.
 */
final class Sampling {
  private static final long SEED = 0x6A616E7573L;

  private Sampling() {}

  /** A well-mixed 64-bit hash of the key, as a non-negative 53-bit number. */
  public static long hash(String key) {
    return MurmurHash3.hash(key.getBytes(StandardCharsets.UTF_8), SEED)[0] >>> 11;
  }

  /** The hash threshold that keeps about {@code fraction} of all keys. */
  public static long threshold(double fraction) {
    return fraction >= 1 ? Long.MAX_VALUE : (long) (fraction * (1L << 53));
  }
}
