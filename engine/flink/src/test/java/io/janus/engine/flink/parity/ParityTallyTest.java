package io.janus.engine.flink.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How key checks add up into a report. */
class ParityTallyTest {
  static KeyCheck check(
      String key, KeyCheck.Status status, String[] features, String[] online, String[] offline) {
    KeyCheck c = new KeyCheck(key, Sampling.hash(key), status);
    c.features = features;
    c.online = online;
    c.offline = offline;
    for (int i = 0; i < features.length; i++)
      c.difference = Math.max(c.difference, ParityCompare.difference(online[i], offline[i]));
    return c;
  }

  @Test
  void countsRatesAndWorstFirst() {
    ParityTally t = new ParityTally(List.of("a", "b"), 3);
    for (int i = 0; i < 6; i++)
      t.add(check("ok" + i, KeyCheck.Status.MATCHED, new String[0], new String[0], new String[0]));
    t.add(
        check(
            "small",
            KeyCheck.Status.MISMATCHED,
            new String[] {"a"},
            new String[] {"10"},
            new String[] {"11"}));
    t.add(
        check(
            "big",
            KeyCheck.Status.MISMATCHED,
            new String[] {"a", "b"},
            new String[] {"1", null},
            new String[] {"100", "2"}));
    t.add(
        check("gone", KeyCheck.Status.MISSING_ONLINE, new String[0], new String[0], new String[0]));
    t.add(check("old", KeyCheck.Status.STALE, new String[0], new String[0], new String[0]));
    t.add(check("exp", KeyCheck.Status.EXPIRED, new String[0], new String[0], new String[0]));
    ParityReport r = t.report("g", 1, null, 0.25, 5);

    assertThat(r.checked()).isEqualTo(10);
    assertThat(r.count(KeyCheck.Status.EXPIRED)).isEqualTo(1);
    assertThat(r.mismatchRate()).isEqualTo(0.4);
    assertThat(r.passed()).isFalse();
    assertThat(r.features().get("a")).isEqualTo(new ParityReport.FeatureTally(8, 2));
    assertThat(r.features().get("b")).isEqualTo(new ParityReport.FeatureTally(8, 1));
    // Three examples kept: the two mismatches (largest difference first), then missing online.
    assertThat(r.worst())
        .extracting(ParityReport.Example::key)
        .containsExactly("big", "small", "gone");
    assertThat(r.worst().get(0).feature())
        .isEqualTo("b"); // null against a value is the largest difference
    assertThat(r.worst().get(1).online()).isEqualTo("10");
  }

  @Test
  void valuesCompareAsTextOrNumbers() {
    assertThat(ParityCompare.same("1", "1.0")).isTrue();
    assertThat(ParityCompare.same(null, null)).isTrue();
    assertThat(ParityCompare.same("0.1", "0.10000000000000002")).isFalse();
    assertThat(ParityCompare.same("x", "y")).isFalse();
    assertThat(ParityCompare.difference("50", "100")).isEqualTo(0.5);
    assertThat(ParityCompare.difference("x", "y")).isEqualTo(1);
  }

  @Test
  void samplingIsDeterministicAndCoversAboutTheFraction() {
    assertThat(Sampling.hash("u1")).isEqualTo(Sampling.hash("u1")).isNotNegative();
    long threshold = Sampling.threshold(0.1);
    long in = 0;
    for (int i = 0; i < 100_000; i++) if (Sampling.hash("k" + i) < threshold) in++;
    assertThat(in).isBetween(9_500L, 10_500L);
    assertThat(Sampling.threshold(1)).isEqualTo(Long.MAX_VALUE);
  }
}
