package io.janus.engine.iceberg.audit;

import java.util.Arrays;

/**
 * Population stability index of an actual sample against an expected one: bins at the expected
 * sample's deciles (distinct edges only, so discrete columns get fewer bins), shares smoothed by a
 * small epsilon so empty bins stay finite. 0 = same distribution; above ~0.25 = a marked shift.
 */
final class Psi {
  private static final double EPS = 1e-4;

  private Psi() {}

  public static double of(double[] expected, double[] actual) {
    if (expected.length == 0 || actual.length == 0) {
      return 0;
    }
    double[] e = expected.clone();
    Arrays.sort(e);
    double[] edges =
        Arrays.stream(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9})
            .map(q -> e[(int) Math.min(e.length - 1, Math.floor(q * e.length))])
            .distinct()
            .toArray();
    double[] pe = shares(e, edges);
    double[] pa = shares(actual, edges);
    double psi = 0;
    for (int i = 0; i < pe.length; i++) {
      psi += (pa[i] - pe[i]) * Math.log(pa[i] / pe[i]);
    }
    return psi;
  }

  private static double[] shares(double[] values, double[] edges) {
    double[] counts = new double[edges.length + 1];
    for (double v : values) {
      int pos = Arrays.binarySearch(edges, v);
      int bin = pos >= 0 ? pos : -pos - 1; // values equal to an edge fall in the bin it closes
      counts[bin]++;
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] = Math.max(counts[i] / values.length, EPS);
    }
    return counts;
  }
}
