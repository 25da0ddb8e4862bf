package io.janus.engine.online;

import java.io.Serializable;
import java.util.Map;

/**
 * One key's feature values as the online store keeps them, or the retraction of a key.
 *
 * @param group feature group (the key prefix)
 * @param key entity key values joined by {@code |}
 * @param validFrom epoch ms from which the values hold; writes never move it backwards, except over
 *     values covered by {@code replaceUpTo}
 * @param version the definition fingerprint the values were computed with
 * @param expireAtMs when the store may drop the key (valid_from + TTL), 0 for never
 * @param values feature name to value as text; a null value removes the field; a null map removes
 *     the whole key (a retraction)
 * @param replaceUpTo stored values whose valid_from is at or before this also give way, even when
 *     newer than {@code validFrom}: the offline rows they came from were replaced (a corrected
 *     backfill). {@link #NO_REPLACE} for a plain guarded write.
 */
public record OnlineRow(
    String group,
    String key,
    long validFrom,
    String version,
    long expireAtMs,
    Map<String, String> values,
    long replaceUpTo)
    implements Serializable {
  /** {@code replaceUpTo} of a plain guarded write: valid_from values are never negative. */
  public static final long NO_REPLACE = -1;

  /** A plain guarded write. */
  public OnlineRow(
      String group,
      String key,
      long validFrom,
      String version,
      long expireAtMs,
      Map<String, String> values) {
    this(group, key, validFrom, version, expireAtMs, values, NO_REPLACE);
  }

  /** Removes {@code key} if its stored valid_from is at or before {@code replaceUpTo}. */
  public static OnlineRow retraction(String group, String key, String version, long replaceUpTo) {
    return new OnlineRow(group, key, replaceUpTo, version, 0, null, replaceUpTo);
  }

  /** Whether this removes the key instead of writing values. */
  public boolean isRetraction() {
    return values == null;
  }

  /** The store key: {@code <group>:<key>}. */
  public String storeKey() {
    return group + ":" + key;
  }
}
