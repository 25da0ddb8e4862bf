package io.janus.engine.online;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.schema.FeatureSchema;
import io.janus.engine.core.schema.FieldType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads online values back into typed features: one key, or many keys across several groups in one
 * pipelined round trip. A key whose values passed their TTL is absent, judged from its valid_from:
 * Redis drops such keys only up to a minute later (see {@code RedisOnlineStore}).
 */
public final class OnlineReader {
  private final OnlineStore store;

  public OnlineReader(OnlineStore store) {
    this.store = store;
  }

  /** A key of a group to look up. */
  public record Lookup(FeatureGroup group, String key) {}

  /**
   * One key's online values, or null fields when absent.
   *
   * @param group the group
   * @param key the entity key as given
   * @param validFrom from when the values hold (null when absent)
   * @param version fingerprint of the definition that computed them
   * @param features feature name to typed value
   */
  public record Result(
      String group, String key, Instant validFrom, String version, Map<String, Object> features) {
    public boolean found() {
      return validFrom != null;
    }

    /** How old the values are at {@code now}. */
    public Duration staleness(Instant now) {
      return validFrom == null ? null : Duration.between(validFrom, now);
    }
  }

  public Result get(FeatureGroup group, String key) {
    return getAll(List.of(new Lookup(group, key))).get(0);
  }

  public List<Result> getAll(List<Lookup> lookups) {
    return decodeAll(lookups, store.multiGet(storeKeys(lookups)));
  }

  /**
   * Reads like {@link #getAll} without blocking: for servers.
   *
   * @param lookups the keys to read
   * @return the results in the order of {@code lookups}; fails when the store cannot answer
   */
  public java.util.concurrent.CompletableFuture<List<Result>> getAllAsync(List<Lookup> lookups) {
    return store.multiGetAsync(storeKeys(lookups)).thenApply(raw -> decodeAll(lookups, raw));
  }

  private static List<String> storeKeys(List<Lookup> lookups) {
    return lookups.stream()
        .map(l -> l.group().name() + ":" + storeKey(l.group(), l.key()))
        .toList();
  }

  private static List<Result> decodeAll(List<Lookup> lookups, List<Map<String, String>> raw) {
    long now = System.currentTimeMillis();
    List<Result> out = new ArrayList<>(lookups.size());
    for (int i = 0; i < lookups.size(); i++) {
      out.add(decode(lookups.get(i), raw.get(i), now));
    }
    return out;
  }

  /**
   * The online key part for the given entity key: {@code a|b} for two entity fields given as {@code
   * a,b}.
   */
  public static String storeKey(FeatureGroup group, String key) {
    return group.entity().size() == 1
        ? key
        : String.join(OnlineRowEncoder.KEY_SEPARATOR, key.split(","));
  }

  private static Result decode(Lookup l, Map<String, String> m, long now) {
    long validFrom = m == null ? 0 : Long.parseLong(m.get(OnlineStore.VALID_FROM));
    if (m == null || !l.group().liveAt(validFrom, now)) {
      return new Result(l.group().name(), l.key(), null, null, Map.of());
    }
    FeatureSchema schema = l.group().schema();
    List<String> names = schema.featureNames();
    FieldType[] types = schema.featureTypes();
    Map<String, Object> features = new LinkedHashMap<>();
    for (int c = 0; c < names.size(); c++) {
      String v = m.get(names.get(c));
      features.put(
          names.get(c),
          v == null
              ? null
              : switch (types[c]) {
                case LONG, TIMESTAMP -> Long.parseLong(v);
                case DOUBLE -> Double.parseDouble(v);
                case BOOLEAN -> Boolean.parseBoolean(v);
                case STRING -> v;
              });
    }
    return new Result(
        l.group().name(),
        l.key(),
        Instant.ofEpochMilli(validFrom),
        m.get(OnlineStore.VERSION),
        features);
  }
}
