package io.janus.engine.flink.parity;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a parity check found. Serialized by Jackson as the {@code janus parity --json} line (times
 * as ISO-8601 UTC, statuses in lower case).
 *
 * @param group the feature group
 * @param snapshotId the offline snapshot compared with
 * @param sampleSize the requested sample, or null for every key
 * @param counts keys per {@link KeyCheck.Status} (expired keys are not part of the sample)
 * @param features per feature: keys compared (matched + mismatched) and keys where it differs
 * @param worst the worst differences, worst first
 * @param maxMismatchRate the threshold the check was held to
 * @param millis wall time
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({
  "group",
  "snapshot_id",
  "sample",
  "checked",
  "by_status", // unwrapped: matched, mismatched, missing_online, missing_offline, stale, expired
  "mismatch_rate",
  "max_mismatch_rate",
  "passed",
  "features",
  "worst",
  "millis"
})
public record ParityReport(
    String group,
    long snapshotId,
    @JsonIgnore Integer sampleSize,
    @JsonIgnore Map<KeyCheck.Status, Long> counts,
    Map<String, FeatureTally> features,
    List<Example> worst,
    double maxMismatchRate,
    long millis)
    implements Serializable {

  /** Keys compared on one feature and how many differ. */
  @JsonPropertyOrder({"compared", "mismatched", "mismatch_rate"})
  public record FeatureTally(long compared, long mismatched) implements Serializable {
    /** Mismatched over compared (0 when none compared). */
    @JsonProperty("mismatch_rate")
    public double mismatchRate() {
      return compared == 0 ? 0 : (double) mismatched / compared;
    }
  }

  /**
   * One bad key.
   *
   * @param feature the feature that differs most, or null when a side is missing or stale
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonPropertyOrder({
    "key",
    "status",
    "feature",
    "online",
    "offline",
    "online_valid_from",
    "offline_valid_from",
    "difference"
  })
  public record Example(
      String key,
      KeyCheck.Status status,
      String feature,
      String online,
      String offline,
      @JsonIgnore long onlineValidFrom,
      @JsonIgnore long offlineValidFrom,
      double difference)
      implements Serializable {

    @JsonProperty("online_valid_from")
    Instant onlineValidFromInstant() {
      return onlineValidFrom < 0 ? null : Instant.ofEpochMilli(onlineValidFrom);
    }

    @JsonProperty("offline_valid_from")
    Instant offlineValidFromInstant() {
      return offlineValidFrom < 0 ? null : Instant.ofEpochMilli(offlineValidFrom);
    }
  }

  /** Keys with outcome {@code s}. */
  public long count(KeyCheck.Status s) {
    return counts.getOrDefault(s, 0L);
  }

  /** Keys checked: every sampled key that should be online (expired ones excluded). */
  @JsonProperty("checked")
  public long checked() {
    long n = 0;
    for (Map.Entry<KeyCheck.Status, Long> e : counts.entrySet())
      if (e.getKey() != KeyCheck.Status.EXPIRED) n += e.getValue();
    return n;
  }

  /** Keys not matched (mismatched, missing on either side, stale) over keys checked. */
  @JsonProperty("mismatch_rate")
  public double mismatchRate() {
    long checked = checked();
    return checked == 0 ? 0 : (double) (checked - count(KeyCheck.Status.MATCHED)) / checked;
  }

  /** Whether the mismatch rate is within the threshold. */
  @JsonProperty("passed")
  public boolean passed() {
    return mismatchRate() <= maxMismatchRate;
  }

  /** Keys per outcome, one field each: the flat figures of the JSON report. */
  @JsonIgnore
  public StatusCounts statusCounts() {
    return new StatusCounts(
        count(KeyCheck.Status.MATCHED),
        count(KeyCheck.Status.MISMATCHED),
        count(KeyCheck.Status.MISSING_ONLINE),
        count(KeyCheck.Status.MISSING_OFFLINE),
        count(KeyCheck.Status.STALE),
        count(KeyCheck.Status.EXPIRED));
  }

  /** The sample size as reported: the number of keys, or {@code "all"}. */
  @JsonProperty("sample")
  Object sample() {
    return sampleSize == null ? "all" : sampleSize;
  }

  @JsonUnwrapped
  StatusCounts byStatus() {
    return statusCounts();
  }

  /**
   * Keys per {@link KeyCheck.Status}, named as in the JSON report.
   *
   * @param matched keys whose online values equal the offline row
   * @param mismatched keys where a feature differs
   * @param missingOnline keys offline holds and online does not
   * @param missingOffline keys online holds and offline does not
   * @param stale keys whose online row is older than the latest offline row
   * @param expired keys past the TTL on both sides
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record StatusCounts(
      long matched,
      long mismatched,
      long missingOnline,
      long missingOffline,
      long stale,
      long expired) {}

  /** A few lines for people. */
  @JsonIgnore
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "parity %s vs snapshot %d (%s): checked %,d, matched %,d, mismatched %,d, missing online %,d, missing offline %,d, stale %,d"
                + " (expired, not online as expected: %,d); mismatch rate %.4f%% (max %.4f%%): %s",
            group,
            snapshotId,
            sampleSize == null ? "every key" : "sample of " + sampleSize,
            checked(),
            count(KeyCheck.Status.MATCHED),
            count(KeyCheck.Status.MISMATCHED),
            count(KeyCheck.Status.MISSING_ONLINE),
            count(KeyCheck.Status.MISSING_OFFLINE),
            count(KeyCheck.Status.STALE),
            count(KeyCheck.Status.EXPIRED),
            100 * mismatchRate(),
            100 * maxMismatchRate,
            passed() ? "PASSED" : "FAILED"));
    features.forEach(
        (name, t) -> {
          if (t.mismatched() > 0)
            sb.append(
                String.format(
                    "%n  %-24s %,d of %,d differ (%.4f%%)",
                    name, t.mismatched(), t.compared(), 100 * t.mismatchRate()));
        });
    for (Example e : worst) {
      sb.append(
          String.format(
              "%n  %s %s%s online %s offline %s (online valid_from %s, offline %s)",
              e.status().name().toLowerCase(),
              e.key(),
              e.feature() == null ? "" : " " + e.feature(),
              e.online(),
              e.offline(),
              e.onlineValidFrom() < 0 ? "-" : Instant.ofEpochMilli(e.onlineValidFrom()),
              e.offlineValidFrom() < 0 ? "-" : Instant.ofEpochMilli(e.offlineValidFrom())));
    }
    return sb.toString();
  }
}
