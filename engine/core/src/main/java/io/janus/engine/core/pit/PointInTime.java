package io.janus.engine.core.pit;

import java.util.Arrays;

/**
 * The point-in-time rule of training sets and predictions: for a time {@code t}, the row of a key
 * with the greatest {@code valid_from <= t} (an event at exactly {@code t} is part of the value at
 * {@code t}); never a row from the future. Whether that row is still live is the group's TTL rule,
 * {@link io.janus.engine.core.definition.FeatureGroup#liveAt}.
 */
public final class PointInTime {
  private PointInTime() {}

  /**
   * For each of {@code times}, the index in {@code validFroms} of the row valid then.
   *
   * @param validFroms one key's row times, ascending and distinct
   * @param times the times asked about, in any order
   * @return per time, the index of the greatest {@code validFroms[i] <= time}, or -1 when every row
   *     is later
   */
  public static int[] pick(long[] validFroms, long[] times) {
    int[] out = new int[times.length];
    for (int i = 0; i < times.length; i++) {
      int at = Arrays.binarySearch(validFroms, times[i]);
      out[i] = at >= 0 ? at : -at - 2;
    }
    return out;
  }
}
