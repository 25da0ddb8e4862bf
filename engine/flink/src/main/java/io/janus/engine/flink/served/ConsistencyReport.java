package io.janus.engine.flink.served;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What the served-vs-offline consistency check found. Serialized by Jackson as the {@code janus
 * consistency --json} line.
 *
 * @param group the feature group
 * @param snapshotId the offline snapshot compared with
 * @param since the earliest serving time checked (ISO-8601), or null for the whole log
 * @param served served values checked
 * @param counts served values by outcome
 * @param different served values with at least one number different from what training would have
 *     read at that moment (missing on either side included)
 * @param predictions served values a {@code /predict} scored with
 * @param predictionsDifferent of those, the ones with a different number
 * @param features per feature: values compared and values that differ
 * @param staleLagMsMax the longest time a stale value's newer offline row had been valid
 * @param maxMismatchRate the allowed mismatch rate
 * @param worst the worst examples, mismatches first
 * @param millis wall time
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({
  "group",
  "snapshot_id",
  "since",
  "served",
  "counts",
  "mismatch_rate",
  "stale_rate",
  "missing_rate",
  "different",
  "different_rate",
  "predictions",
  "predictions_different",
  "features",
  "stale_lag_ms_max",
  "max_mismatch_rate",
  "passed",
  "worst",
  "seconds"
})
public record ConsistencyReport(
    String group,
    long snapshotId,
    String since,
    long served,
    Map<ServedCheck.Status, Long> counts,
    long different,
    long predictions,
    long predictionsDifferent,
    Map<String, FeatureTally> features,
    long staleLagMsMax,
    double maxMismatchRate,
    List<Example> worst,
    @JsonIgnore long millis)
    implements Serializable {

  /**
   * One feature's figures.
   *
   * @param compared served values with offline values to compare with
   * @param different those that differ
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record FeatureTally(long compared, long different) implements Serializable {
    /** Share of compared values that differ. */
    @JsonProperty("different_rate")
    public double differentRate() {
      return compared == 0 ? 0 : (double) different / compared;
    }
  }

  /**
   * One served value that did not match.
   *
   * @param status the outcome
   * @param requestId the request
   * @param entity the entity key
   * @param servedAt when it was served (ISO-8601)
   * @param servedValidFrom the valid_from served, or null
   * @param offlineValidFrom the valid_from of the offline row valid then, or null
   * @param features per differing feature: {@code [served, offline]}
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Example(
      ServedCheck.Status status,
      String requestId,
      String entity,
      String servedAt,
      String servedValidFrom,
      String offlineValidFrom,
      Map<String, List<String>> features)
      implements Serializable {}

  /** How many served values had {@code s}. */
  public long count(ServedCheck.Status s) {
    return counts.getOrDefault(s, 0L);
  }

  /** Share of served values with the same offline row but different values. */
  @JsonProperty("mismatch_rate")
  public double mismatchRate() {
    return rate(count(ServedCheck.Status.MISMATCHED));
  }

  /** Share of served values older than the offline row valid then. */
  @JsonProperty("stale_rate")
  public double staleRate() {
    return rate(count(ServedCheck.Status.STALE));
  }

  /** Share of served values missing on one side. */
  @JsonProperty("missing_rate")
  public double missingRate() {
    return rate(
        count(ServedCheck.Status.MISSING_ONLINE) + count(ServedCheck.Status.MISSING_OFFLINE));
  }

  /** Share of served values with a number different from what training would have read. */
  @JsonProperty("different_rate")
  public double differentRate() {
    return rate(different);
  }

  /** Whether the mismatch rate is within the allowed one. */
  @JsonProperty("passed")
  public boolean passed() {
    return mismatchRate() <= maxMismatchRate;
  }

  @JsonProperty("seconds")
  double seconds() {
    return millis / 1000.0;
  }

  private double rate(long n) {
    return served == 0 ? 0 : (double) n / served;
  }

  /** One line for people. */
  @JsonIgnore
  public String summary() {
    return String.format(
        "consistency of %s's served values vs snapshot %d%s: %,d checked, matched %,d, mismatched %,d,"
            + " stale %,d, newer than offline %,d, missing online %,d, missing offline %,d; %.4f%% saw"
            + " a number different from training's (%,d of %,d predictions); mismatch rate %.4f%%"
            + " (max %.4f%%): %s",
        group,
        snapshotId,
        since == null ? "" : " since " + since,
        served,
        count(ServedCheck.Status.MATCHED),
        count(ServedCheck.Status.MISMATCHED),
        count(ServedCheck.Status.STALE),
        count(ServedCheck.Status.NEWER_THAN_OFFLINE),
        count(ServedCheck.Status.MISSING_ONLINE),
        count(ServedCheck.Status.MISSING_OFFLINE),
        100 * differentRate(),
        predictionsDifferent,
        predictions,
        100 * mismatchRate(),
        100 * maxMismatchRate,
        passed() ? "passed" : "FAILED");
  }
}
