package io.janus.engine.online;

import java.io.Serializable;
import java.util.Map;

/**
 * One key's feature values as the online store keeps them.
 *
 * @param group feature group (the key prefix)
 * @param key entity key values joined by {@code |}
 * @param validFrom epoch ms from which the values hold; writes never move it backwards
 * @param version the definition fingerprint the values were computed with
 * @param expireAtMs when the store may drop the key (valid_from + TTL), 0 for never
 * @param values feature name to value as text; a null value removes the field
 */
public record OnlineRow(String group, String key, long validFrom, String version, long expireAtMs, Map<String, String> values)
    implements Serializable {

  /** The store key: {@code <group>:<key>}. */
  public String storeKey() {
    return group + ":" + key;
  }
}
