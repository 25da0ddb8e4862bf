package io.janus.registry;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One registered version of a model, as the registry holds it now. Serialized by Jackson as the
 * {@code janus registry show --json} object.
 *
 * @param model the model's name
 * @param version its semantic version
 * @param stage where it is in the lifecycle
 * @param sha256 the artifact's SHA-256 (hex), re-checked on every load
 * @param artifact where the artifact is stored (content-addressed by its hash)
 * @param trainingSet the training set it was trained on ({@code training.<name>})
 * @param trainingSnapshotId the training set's snapshot (its summary names every feature snapshot)
 * @param features the feature snapshots it depends on, each pinned by a tag until archival
 * @param metrics measured figures, e.g. {@code auc}
 * @param params training parameters and the imputation used
 * @param gitCommit the commit the registering code ran from, when known
 * @param registeredBy who registered it
 * @param registeredAt when
 * @param history every stage change, oldest first
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelVersion(
    String model,
    String version,
    Stage stage,
    String sha256,
    String artifact,
    String trainingSet,
    long trainingSnapshotId,
    List<FeatureSnapshot> features,
    Map<String, Double> metrics,
    Map<String, String> params,
    String gitCommit,
    String registeredBy,
    Instant registeredAt,
    List<StageChange> history) {

  /** {@code model@version}. */
  public String ref() {
    return model + "@" + version;
  }

  /** The version, parsed. */
  public SemanticVersion semanticVersion() {
    return SemanticVersion.parse(version);
  }

  /**
   * A feature table snapshot a model version depends on.
   *
   * @param group the feature group
   * @param table its table
   * @param snapshotId the snapshot the training set read
   * @param fingerprint the definition's fingerprint
   * @param tag the Iceberg tag pinning it while the version is not archived
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record FeatureSnapshot(
      String group, String table, long snapshotId, String fingerprint, String tag) {}

  /**
   * A stage change.
   *
   * @param stage the new stage
   * @param by who
   * @param at when
   * @param reason why (e.g. {@code superseded by 1.0.3})
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record StageChange(Stage stage, String by, Instant at, String reason) {}
}
