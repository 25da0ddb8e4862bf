package io.janus.engine.flink.parity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Adds up key checks into a {@link ParityReport}: counts, per-feature rates and the worst examples.
 */
final class ParityTally {
  /**
   * Worst first: mismatches by difference, then missing online, missing offline, stale; ties by
   * key.
   */
  static final Comparator<KeyCheck> WORST_FIRST =
      Comparator.<KeyCheck>comparingInt(
              c ->
                  switch (c.status) {
                    case MISMATCHED -> 0;
                    case MISSING_ONLINE -> 1;
                    case MISSING_OFFLINE -> 2;
                    case STALE -> 3;
                    default -> 4;
                  })
          .thenComparing(c -> -c.difference)
          .thenComparing(c -> c.key);

  private final Map<KeyCheck.Status, Long> counts = new EnumMap<>(KeyCheck.Status.class);
  private final Map<String, long[]> features = new LinkedHashMap<>();
  private final int examples;

  /** The {@code examples} worst so far, best of them on top to be evicted first. */
  private final PriorityQueue<KeyCheck> worst;

  ParityTally(List<String> featureNames, int examples) {
    for (String f : featureNames) features.put(f, new long[2]);
    this.examples = examples;
    this.worst = new PriorityQueue<>(WORST_FIRST.reversed());
  }

  void add(KeyCheck c) {
    counts.merge(c.status, 1L, Long::sum);
    if (c.status == KeyCheck.Status.MATCHED || c.status == KeyCheck.Status.MISMATCHED) {
      for (long[] t : features.values()) t[0]++;
      for (String f : c.features) features.get(f)[1]++;
    }
    if (c.status != KeyCheck.Status.MATCHED
        && c.status != KeyCheck.Status.EXPIRED
        && examples > 0) {
      worst.add(c);
      if (worst.size() > examples) worst.poll();
    }
  }

  /** Counts expired keys seen outside the sample (they are never part of it). */
  void addExpired(long n) {
    if (n > 0) counts.merge(KeyCheck.Status.EXPIRED, n, Long::sum);
  }

  long count(KeyCheck.Status s) {
    return counts.getOrDefault(s, 0L);
  }

  ParityReport report(
      String group, long snapshotId, Integer sampleSize, double maxMismatchRate, long millis) {
    Map<String, ParityReport.FeatureTally> f = new LinkedHashMap<>();
    features.forEach((name, t) -> f.put(name, new ParityReport.FeatureTally(t[0], t[1])));
    List<KeyCheck> sorted = new ArrayList<>(worst);
    sorted.sort(WORST_FIRST);
    List<ParityReport.Example> ex = new ArrayList<>();
    for (KeyCheck c : sorted) {
      // The feature that differs most stands for the key.
      int at = -1;
      double most = -1;
      for (int i = 0; i < c.features.length; i++) {
        double d = ParityCompare.difference(c.online[i], c.offline[i]);
        if (d > most) {
          most = d;
          at = i;
        }
      }
      ex.add(
          new ParityReport.Example(
              c.key,
              c.status,
              at < 0 ? null : c.features[at],
              at < 0 ? null : c.online[at],
              at < 0 ? null : c.offline[at],
              c.onlineValidFrom,
              c.offlineValidFrom,
              c.difference));
    }
    return new ParityReport(
        group, snapshotId, sampleSize, new EnumMap<>(counts), f, ex, maxMismatchRate, millis);
  }
}
