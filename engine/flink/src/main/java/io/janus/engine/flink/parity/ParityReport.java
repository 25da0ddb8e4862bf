package io.janus.engine.flink.parity;

import java.io.Serializable;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a parity check found.
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
public record ParityReport(
    String group,
    long snapshotId,
    Integer sampleSize,
    Map<KeyCheck.Status, Long> counts,
    Map<String, FeatureTally> features,
    List<Example> worst,
    double maxMismatchRate,
    long millis)
    implements Serializable {

  /** Keys compared on one feature and how many differ. */
  public record FeatureTally(long compared, long mismatched) implements Serializable {
    public double mismatchRate() {
      return compared == 0 ? 0 : (double) mismatched / compared;
    }
  }

  /**
   * One bad key.
   *
   * @param feature the feature that differs most, or null when a side is missing or stale
   */
  public record Example(
      String key,
      KeyCheck.Status status,
      String feature,
      String online,
      String offline,
      long onlineValidFrom,
      long offlineValidFrom,
      double difference)
      implements Serializable {}

  public long count(KeyCheck.Status s) {
    return counts.getOrDefault(s, 0L);
  }

  /** Keys checked: every sampled key that should be online (expired ones excluded). */
  public long checked() {
    long n = 0;
    for (Map.Entry<KeyCheck.Status, Long> e : counts.entrySet())
      if (e.getKey() != KeyCheck.Status.EXPIRED) n += e.getValue();
    return n;
  }

  /** Keys not matched (mismatched, missing on either side, stale) over keys checked. */
  public double mismatchRate() {
    long checked = checked();
    return checked == 0 ? 0 : (double) (checked - count(KeyCheck.Status.MATCHED)) / checked;
  }

  public boolean passed() {
    return mismatchRate() <= maxMismatchRate;
  }

  /** The report by name, for JSON output (times as ISO-8601 UTC). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("group", group);
    m.put("snapshot_id", snapshotId);
    m.put("sample", sampleSize == null ? "all" : sampleSize);
    m.put("checked", checked());
    for (KeyCheck.Status s : KeyCheck.Status.values()) m.put(s.name().toLowerCase(), count(s));
    m.put("mismatch_rate", mismatchRate());
    m.put("max_mismatch_rate", maxMismatchRate);
    m.put("passed", passed());
    Map<String, Object> f = new LinkedHashMap<>();
    features.forEach(
        (name, t) -> {
          Map<String, Object> x = new LinkedHashMap<>();
          x.put("compared", t.compared());
          x.put("mismatched", t.mismatched());
          x.put("mismatch_rate", t.mismatchRate());
          f.put(name, x);
        });
    m.put("features", f);
    m.put(
        "worst",
        worst.stream()
            .map(
                e -> {
                  Map<String, Object> x = new LinkedHashMap<>();
                  x.put("key", e.key());
                  x.put("status", e.status().name().toLowerCase());
                  x.put("feature", e.feature());
                  x.put("online", e.online());
                  x.put("offline", e.offline());
                  x.put(
                      "online_valid_from",
                      e.onlineValidFrom() < 0
                          ? null
                          : Instant.ofEpochMilli(e.onlineValidFrom()).toString());
                  x.put(
                      "offline_valid_from",
                      e.offlineValidFrom() < 0
                          ? null
                          : Instant.ofEpochMilli(e.offlineValidFrom()).toString());
                  x.put("difference", e.difference());
                  return x;
                })
            .toList());
    m.put("millis", millis);
    return m;
  }

  /** A few lines for people. */
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
