package io.janus.features.generate;

import java.util.SplittableRandom;

/**
 * Samples indices in {@code [0, n)} with a Zipf–Mandelbrot skew: rank {@code k} (1-based) has
 * weight {@code (k + q)^-s}. Ranks are scattered over the indices by a fixed bijection, so the
 * heavy hitters are not simply ids 0, 1, 2, ...
 *
 * <p>Sampling inverts the CDF of the continuous approximation, so it is O(1) time and memory (no
 * per-rank table, which matters for millions of users). The offset {@code q} flattens the head,
 * which keeps the top item at a plausible share instead of the ~10% pure Zipf gives. StrictMath
 * keeps the draws identical on every platform.
 */
final class ZipfSampler {

  private final int n;
  private final double q;
  private final boolean logForm;
  private final double lo;
  private final double span;
  private final double invExponent;
  private final long multiplier;
  private final long offset;

  /**
   * @param n number of items, at least 1
   * @param s skew exponent, positive
   * @param q rank offset, non-negative
   * @param scatterSeed picks the rank-to-index bijection
   */
  ZipfSampler(int n, double s, double q, long scatterSeed) {
    if (n < 1 || !(s > 0) || !(q >= 0)) {
      throw new IllegalArgumentException("n=" + n + ", s=" + s + ", q=" + q);
    }
    this.n = n;
    this.q = q;
    this.logForm = Math.abs(1 - s) < 1e-9;
    double a = 1 + q;
    double b = n + 1 + q;
    if (logForm) {
      lo = StrictMath.log(a);
      span = StrictMath.log(b) - lo;
      invExponent = 0;
    } else {
      double e = 1 - s;
      lo = StrictMath.pow(a, e);
      span = StrictMath.pow(b, e) - lo;
      invExponent = 1 / e;
    }
    // index = (rank * multiplier + offset) mod n is a bijection when gcd(multiplier, n) == 1.
    long m = Math.floorMod(scatterSeed * 0x9E3779B97F4A7C15L, Math.max(n, 1)) | 1;
    while (gcd(m, n) != 1) {
      m++;
    }
    this.multiplier = m;
    this.offset = Math.floorMod(scatterSeed, (long) n);
  }

  /** Number of items. */
  int size() {
    return n;
  }

  /** Draws one index in {@code [0, n)}. */
  int sample(SplittableRandom random) {
    return indexOfRank(sampleRank(random));
  }

  /** Draws a 0-based rank, 0 being the heaviest. */
  int sampleRank(SplittableRandom random) {
    double y = lo + random.nextDouble() * span;
    double x = (logForm ? StrictMath.exp(y) : StrictMath.pow(y, invExponent)) - q;
    int k = (int) x - 1;
    // Rounding at the interval ends can step one past either edge.
    return k < 0 ? 0 : Math.min(k, n - 1);
  }

  /** Maps a 0-based rank to its item index. */
  int indexOfRank(int rank) {
    return (int) ((rank * multiplier + offset) % n);
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
