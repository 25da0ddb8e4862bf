package io.janus.registry.predict;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.janus.engine.flink.training.TrainingSetResult;
import java.util.List;

/**
 * What a batch prediction run did. Serialized by Jackson as the {@code janus predict --json} line.
 *
 * @param name the prediction set's name
 * @param table its table ({@code predictions.<name>})
 * @param snapshotId main's snapshot after publishing (the audited branch's head when not published)
 * @param published whether the audit passed and main now holds these rows
 * @param model the model
 * @param modelVersion its version
 * @param rows rows scored
 * @param spine where the rows to score came from
 * @param groups the feature snapshots read
 * @param audit what the audit checked
 * @param runId the run
 * @param millis wall time
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PredictionResult(
    String name,
    String table,
    long snapshotId,
    boolean published,
    String model,
    String modelVersion,
    long rows,
    String spine,
    List<TrainingSetResult.Input> groups,
    Audit audit,
    String runId,
    @JsonIgnore long millis) {

  /**
   * The audit of the written branch.
   *
   * @param passed every check held
   * @param rows rows on the branch
   * @param scored rows the job scored (must equal {@code rows})
   * @param scoreMin smallest score
   * @param scoreMax largest score
   * @param scoreMean mean score
   * @param nullScores rows without a finite score (must be 0)
   * @param imputedRows rows with at least one imputed (null) feature
   * @param failures what failed, one line each
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Audit(
      boolean passed,
      long rows,
      long scored,
      Double scoreMin,
      Double scoreMax,
      Double scoreMean,
      long nullScores,
      long imputedRows,
      List<String> failures) {}

  @JsonProperty("seconds")
  double seconds() {
    return millis / 1000.0;
  }
}
