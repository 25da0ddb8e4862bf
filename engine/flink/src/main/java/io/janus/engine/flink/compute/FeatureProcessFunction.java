package io.janus.engine.flink.compute;

import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.state.Contribution;
import io.janus.engine.core.state.FeatureStateMachine;
import io.janus.engine.core.state.KeyState;
import io.janus.engine.flink.compute.internal.ContributionTypeInfo;
import io.janus.engine.flink.compute.internal.KeyStateSerializer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The compiled group as a Flink keyed function in {@code RuntimeExecutionMode.STREAMING}: time
 * advances with the watermark (see {@link FeatureStateMachine}). Emits feature-table rows;
 * contributions at or before the current watermark (late) go to {@link #LATE}. BATCH runs the same
 * state machine in {@link SortedBatchFunction}, over input sorted by key and time.
 */
public final class FeatureProcessFunction
    extends KeyedProcessFunction<String, Contribution, RowData> {
  /** Contributions that arrived after the watermark passed their event time. */
  public static final OutputTag<Contribution> LATE =
      new OutputTag<>("late-contributions", ContributionTypeInfo.INSTANCE);

  /**
   * Prefix of the accumulator (followed by the group's name) counting contributions ignored because
   * their event id was already pending for the key.
   */
  public static final String DUPLICATES_PREFIX = "janus-events-duplicate-";

  private final GroupPlan plan;
  private final java.util.List<String> tableColumns;
  private final long collapseBefore;
  private final long releaseAt;
  private final org.apache.flink.table.types.logical.RowType rowType;
  private transient FeatureStateMachine machine;
  private transient FeatureRows rows;
  private transient ValueState<KeyState> state;
  private transient ValueState<RowData> held;
  private transient DuplicateEvents duplicates;

  /**
   * @param plan the compiled group
   * @param tableColumns column names of the rows to emit, in order (the feature table's)
   */
  public FeatureProcessFunction(GroupPlan plan, java.util.List<String> tableColumns) {
    this.plan = plan;
    this.tableColumns = new java.util.ArrayList<>(tableColumns);
    this.collapseBefore = Long.MIN_VALUE;
    this.releaseAt = Long.MIN_VALUE;
    this.rowType = null;
  }

  /**
   * A STREAMING function that collapses the rows valid before {@code collapseBefore}: of those,
   * only each key's latest is emitted, once the watermark reaches {@code collapseBefore} (or just
   * before the key's first later row). A stream bootstrapped from history then writes each key's
   * value as of that time once, instead of walking the online store through the whole history.
   *
   * @param plan the compiled group
   * @param rowType the feature table's row type (the rows to emit)
   * @param collapseBefore epoch millis
   * @param releaseAt wall-clock epoch millis when held rows go out at the latest
   */
  public FeatureProcessFunction(
      GroupPlan plan,
      org.apache.flink.table.types.logical.RowType rowType,
      long collapseBefore,
      long releaseAt) {
    this.plan = plan;
    this.tableColumns = new java.util.ArrayList<>(rowType.getFieldNames());
    this.collapseBefore = collapseBefore;
    this.releaseAt = releaseAt;
    this.rowType = rowType;
  }

  @Override
  public void open(OpenContext openContext) {
    machine = new FeatureStateMachine(plan);
    rows = new FeatureRows(plan, tableColumns);
    state =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("key-state", new KeyStateSerializer(plan)));
    if (rowType != null) {
      held =
          getRuntimeContext()
              .getState(
                  new ValueStateDescriptor<>(
                      "latest-row-before",
                      org.apache.flink.table.runtime.typeutils.InternalTypeInfo.of(rowType)));
    }
    duplicates = new DuplicateEvents(getRuntimeContext(), plan.group().name());
  }

  @Override
  public void processElement(Contribution c, Context ctx, Collector<RowData> out) throws Exception {
    KeyState s = state.value();
    if (s == null) {
      s = machine.newState();
    }
    if (c.ts <= ctx.timerService().currentWatermark() || c.ts <= s.lastFired) {
      ctx.output(LATE, c);
      return;
    }
    if (!machine.add(s, c)) {
      duplicates.count();
      state.update(s);
      return;
    }
    schedule(s, ctx.timerService());
    state.update(s);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
    if (ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.PROCESSING_TIME) {
      release(null, out); // the only processing-time timer: held rows are due by the clock
      return;
    }
    KeyState s = state.value();
    if (s == null) {
      return;
    }
    String key = ctx.getCurrentKey();
    // Everything due up to the watermark being reached would fire in this same advance of the
    // watermark anyway, in the same order; doing it in one call saves a timer per due time.
    long bound = Math.max(timestamp, ctx.timerService().currentWatermark());
    // Timers fire in time order: past the collapse time, every key's held row is out.
    if (held == null || timestamp > collapseBefore) {
      machine.advance(s, bound, true, (t, v) -> out.collect(rows.row(key, t, v)));
    } else {
      collapse(s, key, bound, ctx, out);
    }
    if (s.nextTimer <= bound) {
      s.nextTimer = Long.MIN_VALUE;
    }
    schedule(s, ctx.timerService());
    state.update(s);
  }

  /**
   * Advances {@code s} to {@code bound}, keeping the latest row before {@link #collapseBefore} in
   * state and emitting it ahead of the key's first later row, or when the watermark reaches that
   * time (a timer). Rows arrive from one advance in time order, so one read of the state per call
   * is enough.
   */
  private void collapse(
      KeyState s, String key, long bound, OnTimerContext ctx, Collector<RowData> out)
      throws java.io.IOException {
    RowData[] latest = new RowData[1];
    boolean[] released = new boolean[1];
    machine.advance(
        s,
        bound,
        true,
        (t, v) -> {
          RowData row = rows.row(key, t, v);
          if (t < collapseBefore) {
            latest[0] = row;
            return;
          }
          if (!released[0]) {
            release(latest[0], out);
            released[0] = true;
          }
          out.collect(row);
        });
    if (released[0]) return;
    if (bound >= collapseBefore) {
      release(latest[0], out);
    } else if (latest[0] != null) {
      if (ctx.timerService().currentProcessingTime() >= releaseAt) {
        out.collect(latest[0]);
        return;
      }
      held.update(latest[0]);
      ctx.timerService().registerEventTimeTimer(collapseBefore);
      ctx.timerService().registerProcessingTimeTimer(releaseAt);
    }
  }

  /** Emits {@code latest}, else the held row, if any, and forgets the held row. */
  private void release(RowData latest, Collector<RowData> out) {
    try {
      RowData row = latest != null ? latest : held.value();
      if (row != null) out.collect(row);
      held.clear();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * STREAMING keeps one Flink timer per key, at its earliest due time; the key's own schedule holds
   * the rest. Flink's timer heap then holds one entry per key instead of one per pending expiry
   * (for 24 h windows, up to a slice per minute per key), which dominated the cost per event.
   */
  private static void schedule(KeyState s, org.apache.flink.streaming.api.TimerService timers) {
    if (s.due.isEmpty()) {
      return;
    }
    long first = s.due.first();
    if (s.nextTimer == Long.MIN_VALUE || first < s.nextTimer) {
      timers.registerEventTimeTimer(first);
      s.nextTimer = first;
    }
  }
}
