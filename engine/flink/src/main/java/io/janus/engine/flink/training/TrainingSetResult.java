package io.janus.engine.flink.training;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What a training-set run built. Serialized by Jackson as the {@code janus training-set --json}
 * line.
 *
 * @param name the training set's name
 * @param table its Iceberg table ({@code training.<name>})
 * @param snapshotId the table's snapshot holding the rows (its summary records the inputs)
 * @param rows rows written: one per spine row
 * @param spine where the spine came from
 * @param groups the feature snapshots read, one per group
 * @param runId the run
 * @param millis wall time
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingSetResult(
    String name,
    String table,
    long snapshotId,
    long rows,
    String spine,
    List<Input> groups,
    String runId,
    @JsonIgnore long millis) {

  /**
   * One group's contribution.
   *
   * @param group the group
   * @param table its feature table
   * @param snapshotId the snapshot read
   * @param fingerprint the definition's fingerprint
   * @param columns the training set's columns holding its features, in feature order
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Input(
      String group, String table, long snapshotId, String fingerprint, List<String> columns) {}

  @JsonProperty("seconds")
  double seconds() {
    return millis / 1000.0;
  }
}
