package io.janus.engine.online;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The online key-value store, after Chronon's three-method KV store: write many rows, read many
 * keys, close. Writes are guarded: a row lands only if its {@code valid_from} is not older than the
 * stored one, so replays, restarts and syncs never regress a newer value.
 */
public interface OnlineStore extends AutoCloseable {
  /** Field holding the epoch-ms valid_from of the stored values. */
  String VALID_FROM = "_valid_from";

  /** Field holding the definition fingerprint the values were computed with. */
  String VERSION = "_version";

  /**
   * Writes rows (pipelined); the future completes with, per row, whether it landed (false: the
   * stored value is newer).
   */
  CompletableFuture<List<Boolean>> multiPut(List<OnlineRow> rows);

  /**
   * Reads keys of one or several groups in one round trip. Each result is the stored fields ({@code
   * _valid_from}, {@code _version} and the features), or null when the key is absent or expired.
   */
  List<Map<String, String>> multiGet(List<String> storeKeys);

  /**
   * Reads keys like {@link #multiGet} without blocking the caller, for servers: the future
   * completes with the same list, or exceptionally when the store cannot answer (unreachable, timed
   * out).
   *
   * @param storeKeys the keys, {@code <group>:<key>}
   * @return the stored fields per key, null for an absent or expired key
   */
  CompletableFuture<List<Map<String, String>>> multiGetAsync(List<String> storeKeys);

  /**
   * Whether the store answers right now.
   *
   * @return true when a round trip succeeded within the store's timeout
   */
  boolean reachable();

  /**
   * Counts a group's keys without reading their values (to size a sample).
   *
   * @param group the group's name, the prefix of its keys
   * @return the number of keys stored for the group
   */
  long countKeys(String group);

  /**
   * Writes a metadata record (unguarded), e.g. a sync marker. Metadata keys start with {@code
   * _janus:} and never collide with feature keys; {@link #multiGet} reads them back.
   *
   * @param key the metadata key
   * @param fields its fields
   */
  void putMetadata(String key, Map<String, String> fields);

  @Override
  void close();
}
