package io.janus.engine.core.state;

/**
 * Everything one entity key needs between timers. Memory is bounded by the longest sliding window:
 * slices older than it are dropped, pending inputs are applied when their time comes.
 */
public final class KeyState {
  /** Inputs not yet applied, pre-aggregated per event time: ts -> IR per input. */
  public TimeMap pending = new TimeMap();

  /**
   * Event ids of the pending inputs, with their event time: a repeat of one is ignored. Ids at or
   * before {@link #lastFired} are forgotten ones not swept yet. Null when nothing is pending.
   */
  public java.util.HashMap<String, Long> pendingIds;

  /**
   * How many ids {@link #pendingIds} kept after its last sweep of fired ones (not part of the
   * state: a restored key sweeps at its first chance).
   */
  public int idsAfterSweep;

  /**
   * Applied inputs of sliding windows per hop slice: slice end (ceil_hop of event time) -> IR per
   * input.
   */
  public TimeMap slices = new TimeMap();

  /** Current IR of each aggregated feature (its window's merge of slices, or the lifetime IR). */
  public Object[] current;

  /** Values of the last row written, or null when the key has not written one or is dormant. */
  public Object[] lastValues;

  /** True once the key has written a row (the first row is always written). */
  public boolean emitted;

  /** Times at which something happens to this key (an input arrives or a slice leaves a window). */
  public TimeQueue due = new TimeQueue();

  /** The slice whose expiries were scheduled last (saves scheduling them again for every event). */
  public long lastSliceRegistered = Long.MIN_VALUE;

  /** The last time processed; inputs must not arrive at or before it. */
  public long lastFired = Long.MIN_VALUE;

  /**
   * No longer set: BATCH keeps its keys' states outside Flink's state. Kept so that checkpoints
   * written by earlier builds, which hold this flag, are read as before.
   */
  public boolean endTimerRegistered;

  /**
   * STREAMING only: the event-time timer registered for this key, or {@code Long.MIN_VALUE} for
   * none.
   */
  public long nextTimer = Long.MIN_VALUE;

  public KeyState() {}

  KeyState(int aggregatedFeatures) {
    current = new Object[aggregatedFeatures];
  }
}
