package io.janus.registry.train;

import java.util.Arrays;
import java.util.Comparator;

/** Binary-classification figures from scores and 0/1 truths. */
final class Evaluation {
  private Evaluation() {}

  /** Area under the ROC curve (ties get their average rank); NaN without both classes. */
  static double auc(double[] p, int[] y) {
    int n = p.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
    double rankSumPos = 0;
    long pos = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && p[order[j + 1]] == p[order[i]]) j++;
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (y[order[k]] == 1) {
          rankSumPos += rank;
          pos++;
        }
      }
      i = j + 1;
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) return Double.NaN;
    return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /** Share of rows where {@code p >= 0.5} agrees with the truth. */
  static double accuracy(double[] p, int[] y) {
    if (p.length == 0) return Double.NaN;
    int ok = 0;
    for (int i = 0; i < p.length; i++) if ((p[i] >= 0.5 ? 1 : 0) == y[i]) ok++;
    return ok / (double) p.length;
  }

  /** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15]. */
  static double logLoss(double[] p, int[] y) {
    if (p.length == 0) return Double.NaN;
    double s = 0;
    for (int i = 0; i < p.length; i++) {
      double q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]));
      s -= y[i] == 1 ? Math.log(q) : Math.log(1 - q);
    }
    return s / p.length;
  }
}
