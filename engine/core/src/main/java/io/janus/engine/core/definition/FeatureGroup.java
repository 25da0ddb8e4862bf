package io.janus.engine.core.definition;

import io.janus.engine.core.schema.FeatureSchema;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A validated feature group: entity keys, a source, features over windows, TTL and audit rules.
 * Built by {@link DefinitionLoader}; immutable.
 *
 * @param name group name, also the table {@code features.<name>} and the online key prefix
 * @param version human-bumped semantic version
 * @param entity entity key fields of the source
 * @param source the source the events come from
 * @param hop granularity at which window tails expire
 * @param ttl online expiry and point-in-time lookback limit
 * @param features the features, in declaration order
 * @param audit audit rules
 * @param description free text
 * @param origin where the definition was read from (file or resource), for messages
 */
public record FeatureGroup(
    String name,
    int version,
    List<String> entity,
    SourceDefinition source,
    Duration hop,
    Duration ttl,
    List<Feature> features,
    AuditRules audit,
    String description,
    String origin)
    implements Serializable {

  /** The feature with this name, if any. */
  public Optional<Feature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }

  /** The longest sliding window in milliseconds (0 when there is none). */
  public long maxSlidingWindowMillis() {
    return features.stream()
        .filter(f -> f.window() != null && !f.window().isLifetime())
        .mapToLong(f -> f.window().millis())
        .max()
        .orElse(0L);
  }

  /** True when some feature has a lifetime window, so values depend on the whole history. */
  public boolean hasLifetimeFeatures() {
    return features.stream().anyMatch(f -> f.window() != null && f.window().isLifetime());
  }

  /** "name:version", as recorded in lineage. */
  public String qualifiedName() {
    return name + ":" + version;
  }

  /**
   * The same definition under another name (its own table and online keys), e.g. for benchmarks.
   */
  public FeatureGroup renamed(String newName) {
    return new FeatureGroup(
        newName, version, entity, source, hop, ttl, features, audit, description, origin);
  }

  /**
   * The output schema: the entity keys with their source types, then each feature with the type of
   * its column. What every store and check reads; how the values are computed is not part of it.
   */
  public FeatureSchema schema() {
    return new FeatureSchema(
        name,
        version,
        entity.stream()
            .map(e -> new FeatureSchema.Column(e, source.field(e).orElseThrow().type()))
            .toList(),
        features.stream()
            .map(f -> new FeatureSchema.Column(f.name(), f.resultType(source)))
            .toList());
  }

  /**
   * Whether a row valid from {@code validFromMs} still holds at {@code atMs}: until {@code ttl} has
   * passed (a TTL of zero never expires). The one rule of online reads, point-in-time joins and
   * serving, so training sees exactly what serving would have returned at {@code atMs}.
   */
  public boolean liveAt(long validFromMs, long atMs) {
    long ttlMs = ttl.toMillis();
    return ttlMs <= 0 || atMs - validFromMs < ttlMs;
  }

  /** SHA-256 of the canonical JSON of this definition. */
  public String fingerprint() {
    return Fingerprint.of(this);
  }
}
