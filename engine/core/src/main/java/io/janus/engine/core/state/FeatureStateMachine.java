package io.janus.engine.core.state;

import io.janus.engine.core.aggregate.Aggregator;
import io.janus.engine.core.plan.GroupPlan;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * The per-key semantics of DESIGN §4, independent of Flink so the same code serves BATCH, STREAMING
 * and tests. {@link #add} buffers a contribution and schedules its event time and every expiry it
 * causes; {@link #advance} then processes the scheduled times up to a bound, in ascending order. At
 * each time it expires slices leaving windows, applies the inputs of that instant, recomputes
 * non-invertible windows, and emits a row if a value changed. The caller decides when to advance:
 * on event-time timers in STREAMING; in BATCH, where a key's records arrive sorted by time, before
 * each record (everything earlier is complete), which keeps state bounded by the longest window.
 */
public final class FeatureStateMachine implements Serializable {
  private final GroupPlan plan;

  public FeatureStateMachine(GroupPlan plan) {
    this.plan = plan;
  }

  public KeyState newState() {
    return new KeyState(plan.aggregatedFeatures());
  }

  /**
   * Buffers a contribution until its time fires, unless a contribution of the same event id is
   * still pending for the key: each event id counts once. An id is remembered until its time fires;
   * a repeat after that is at or before the key's last processed time, which callers refuse as late
   * (STREAMING) or never see (BATCH reads each stored id once).
   *
   * @return false if the contribution repeats a pending event id and was ignored
   */
  public boolean add(KeyState s, Contribution c) {
    // Key markers and serialized id-less contributions carry "": they are not repeats of each
    // other.
    if (c.eventId != null && !c.eventId.isEmpty()) {
      if (s.pendingIds == null) {
        s.pendingIds = new java.util.HashMap<>(4);
      } else {
        // An id whose time has fired is forgotten (fire drops such ids only now and then).
        Long at = s.pendingIds.get(c.eventId);
        if (at != null && at > s.lastFired) return false;
      }
      s.pendingIds.put(c.eventId, c.ts);
    }
    if (s.current == null) {
      s.current = new Object[plan.aggregatedFeatures()];
    }
    Object[] irs = s.pending.get(c.ts);
    if (irs == null) {
      irs = new Object[plan.inputs().size()];
      s.pending.put(c.ts, irs);
    }
    s.due.add(c.ts);
    long slice = plan.ceilHop(c.ts);
    if (slice != s.lastSliceRegistered) {
      for (long w : plan.windows()) {
        s.due.add(slice + w);
      }
      s.lastSliceRegistered = slice;
    }
    long mask = c.mask;
    while (mask != 0) {
      int i = Long.numberOfTrailingZeros(mask);
      mask &= mask - 1;
      Aggregator<Object> agg = Aggregator.erase(plan.inputs().get(i).aggregator());
      double num = c.num == null ? 0 : c.num[i];
      String str = c.str == null ? null : c.str[i];
      irs[i] =
          irs[i] == null
              ? agg.prepare(num, str, c.ts, c.eventId)
              : agg.update(irs[i], num, str, c.ts, c.eventId);
    }
    return true;
  }

  /** Receives the rows a key writes. */
  @FunctionalInterface
  public interface RowSink {
    void row(long validFrom, Object[] values);
  }

  /**
   * Processes every scheduled time before {@code bound} (or up to it, when {@code inclusive}), in
   * ascending order, handing each row to {@code sink}.
   */
  public void advance(KeyState s, long bound, boolean inclusive, RowSink sink) {
    while (!s.due.isEmpty()) {
      long t = s.due.first();
      if (t > bound || (t == bound && !inclusive)) {
        return;
      }
      s.due.pollFirst();
      s.lastFired = t;
      Object[] values = fire(s, t);
      if (values != null) {
        sink.row(t, values);
      }
    }
  }

  /** True when the key has nothing scheduled. */
  public boolean idle(KeyState s) {
    return s.due.isEmpty();
  }

  /**
   * Drops the event ids whose time {@code t} has fired ({@link #add} already treats them as
   * forgotten): all of them once nothing is pending, else whenever the ids have doubled since the
   * last sweep. Sweeping at every fired time cost a key with many pending inputs a pass over all of
   * them per time (measured: 26 % of the streaming job's CPU at 50k events/s, in HashMap
   * iteration).
   */
  private static void forgetFiredIds(KeyState s, long t) {
    if (s.pendingIds == null) return;
    if (s.pending.isEmpty()) {
      s.pendingIds = null;
      s.idsAfterSweep = 0;
    } else if (s.pendingIds.size() >= Math.max(32, 2 * s.idsAfterSweep)) {
      s.pendingIds.values().removeIf(at -> at <= t);
      s.idsAfterSweep = s.pendingIds.size();
    }
  }

  /**
   * Advances the key to time {@code t}. Returns the row values to write at {@code t}, or null when
   * no value differs from the key's previous row.
   */
  Object[] fire(KeyState s, long t) {
    if (s.current == null) {
      s.current = new Object[plan.aggregatedFeatures()];
    }
    Object[] current = s.current;
    boolean[] dirty = null;
    long[] windows = plan.windows();

    // 1. Slices whose tail leaves a window at t. Slices end on the hop grid and windows are
    //    multiples of the hop, so nothing expires off the grid (most event times).
    boolean onGrid = Math.floorMod(t, plan.hopMillis()) == 0;
    for (int wi = 0; onGrid && wi < windows.length; wi++) {
      Object[] slice = s.slices.get(t - windows[wi]);
      if (slice == null) continue;
      for (int f : plan.featuresOfWindow(wi)) {
        Object ir = slice[plan.inputOf(f)];
        if (ir == null) continue;
        Aggregator<Object> agg = Aggregator.erase(plan.inputs().get(plan.inputOf(f)).aggregator());
        if (agg.invertible()) {
          current[f] = agg.subtract(current[f], ir);
        } else {
          if (dirty == null) dirty = new boolean[current.length];
          dirty[f] = true;
        }
      }
    }

    // 2. Inputs arriving at t.
    Object[] arriving = s.pending.remove(t);
    if (arriving != null) {
      forgetFiredIds(s, t);
      Object[] slice = null;
      for (int i = 0; i < arriving.length; i++) {
        if (arriving[i] == null || !plan.isSlidingInput(i)) continue;
        if (slice == null) {
          slice = s.slices.computeIfAbsent(plan.ceilHop(t), k -> new Object[arriving.length]);
        }
        Aggregator<Object> agg = Aggregator.erase(plan.inputs().get(i).aggregator());
        slice[i] = slice[i] == null ? agg.copy(arriving[i]) : agg.merge(slice[i], arriving[i]);
      }
      for (int f = 0; f < current.length; f++) {
        Object ir = arriving[plan.inputOf(f)];
        if (ir == null || (dirty != null && dirty[f])) continue;
        Aggregator<Object> agg = Aggregator.erase(plan.inputs().get(plan.inputOf(f)).aggregator());
        current[f] = current[f] == null ? agg.copy(ir) : agg.merge(current[f], ir);
      }
    }

    // 3. Non-invertible windows that lost a slice: merge what is left.
    if (dirty != null) {
      for (int f = 0; f < current.length; f++) {
        if (!dirty[f]) continue;
        Aggregator<Object> agg = Aggregator.erase(plan.inputs().get(plan.inputOf(f)).aggregator());
        Object ir = null;
        int input = plan.inputOf(f);
        for (int i = s.slices.firstAfter(t - plan.windowOf(f)); i < s.slices.end(); i++) {
          Object part = s.slices.valueAt(i)[input];
          if (part != null) ir = ir == null ? agg.copy(part) : agg.merge(ir, part);
        }
        current[f] = ir;
      }
    }

    // 4. Slices no window needs any more.
    long maxWindow = plan.maxWindow();
    while (!s.slices.isEmpty() && s.slices.firstKey() + maxWindow <= t) {
      s.slices.pollFirst();
    }

    // 5. Emit on change; the first row is always written.
    Object[] values = plan.values(current);
    Object[] previous = s.lastValues != null ? s.lastValues : (s.emitted ? plan.emptyRow() : null);
    boolean changed =
        previous == null
            || !Arrays.equals(values, previous, (a, b) -> Objects.equals(a, b) ? 0 : 1);

    if (s.slices.isEmpty() && s.pending.isEmpty() && plan.lifetimeFeatures().length == 0) {
      // Every window is empty, so the values are the empty row: keep only the fact the key wrote
      // rows.
      s.current = null;
      s.lastValues = null;
      s.lastSliceRegistered = Long.MIN_VALUE;
    } else if (changed) {
      s.lastValues = values;
    }
    if (changed) {
      s.emitted = true;
      return values;
    }
    return null;
  }
}
