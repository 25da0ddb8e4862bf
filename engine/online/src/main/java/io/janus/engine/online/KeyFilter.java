package io.janus.engine.online;

import java.io.Serializable;

/**
 * Decides, from the entity key alone, whether a key is read; checked before its value is fetched.
 */
@FunctionalInterface
public interface KeyFilter extends Serializable {
  /** Accepts every key. */
  KeyFilter ALL = k -> true;

  /**
   * Whether to read the key of {@code entityKey}.
   *
   * @param entityKey the entity key, without the group prefix
   * @return true to read it
   */
  boolean accept(String entityKey);
}
