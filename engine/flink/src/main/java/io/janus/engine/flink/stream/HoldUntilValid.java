package io.janus.engine.flink.stream;

import io.janus.engine.online.OnlineRowEncoder;
import io.janus.monitoring.MetricNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the online store from running ahead of the wall clock (DESIGN §4: never a row from the
 * future). A feature row passes at once when its {@code valid_from} is at most {@code skew} after
 * the processing clock; a later one (an event stamped ahead of the clock, or the expiries the final
 * watermark of a bounded source fires) is held, in checkpointed operator state, and passed on when
 * the clock reaches it. Rows still held when a bounded input ends are not written: the store keeps
 * the value valid now, and the next sync writes the later ones when they are due. Per key, rows
 * leave in the order they came (compute emits a key's rows in {@code valid_from} order, and due
 * rows are released before a newer one passes).
 */
final class HoldUntilValid extends AbstractStreamOperator<RowData>
    implements OneInputStreamOperator<RowData, RowData> {
  private static final Logger LOG = LoggerFactory.getLogger(HoldUntilValid.class);

  /** Accumulator prefix: rows still held at the end of a bounded input, per group. */
  static final String DEFERRED_PREFIX = "janus-online-deferred-";

  private final String group;
  private final RowType rowType;
  private final OnlineRowEncoder encoder;
  private final long skewMs;
  private transient PriorityQueue<Held> held;
  private transient RowDataSerializer copier;
  private transient ListState<RowData> heldState;
  private transient long timerAt;
  private transient long sequence;

  /** A held row, with the order it came in (ties on valid_from leave in that order). */
  private record Held(long validFrom, long seq, RowData row) {}

  private static final Comparator<Held> ORDER =
      Comparator.comparingLong(Held::validFrom).thenComparingLong(Held::seq);

  HoldUntilValid(String group, RowType rowType, OnlineRowEncoder encoder, Duration skew) {
    this.group = group;
    this.rowType = rowType;
    this.encoder = encoder;
    this.skewMs = skew.toMillis();
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    copier = new RowDataSerializer(rowType);
    held = new PriorityQueue<>(ORDER);
    heldState =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("held-rows", InternalTypeInfo.of(rowType)));
    for (RowData r : heldState.get()) hold(r);
  }

  @Override
  public void open() throws Exception {
    super.open();
    getMetricGroup()
        .addGroup(MetricNames.GROUP)
        .gauge(MetricNames.ONLINE_ROWS_HELD, () -> held == null ? 0 : held.size());
    timerAt = Long.MAX_VALUE;
    armTimer();
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    release(now);
    RowData row = element.getValue();
    // A due row passes at once, even past held rows of other keys (a key's own held rows are
    // older and were released above when due; the store's guard orders a key's rows anyway).
    if (encoder.validFrom(row) <= now + skewMs) {
      output.collect(element);
      return;
    }
    hold(copier.copy(row));
    armTimer();
  }

  private void hold(RowData row) {
    held.add(new Held(encoder.validFrom(row), sequence++, row));
  }

  private void release(long now) {
    while (!held.isEmpty() && held.peek().validFrom() <= now + skewMs) {
      output.collect(new StreamRecord<>(held.poll().row()));
    }
  }

  private void armTimer() {
    if (held == null || held.isEmpty()) return;
    long due = held.peek().validFrom() - skewMs;
    if (due >= timerAt) return;
    timerAt = due;
    getProcessingTimeService()
        .registerTimer(
            due,
            t -> {
              if (t != timerAt) return; // superseded by an earlier timer, which re-arms
              timerAt = Long.MAX_VALUE;
              release(getProcessingTimeService().getCurrentProcessingTime());
              armTimer();
            });
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    heldState.clear();
    // In release order, so rows of equal valid_from keep their order across a restore.
    List<Held> inOrder = new ArrayList<>(held);
    inOrder.sort(ORDER);
    for (Held h : inOrder) heldState.add(h.row());
  }

  /**
   * End of input: a bounded source's end, or {@code flink stop --drain}. What is not valid yet is
   * not written (DESIGN §4); the next sync writes it when it is due.
   */
  @Override
  public void finish() throws Exception {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    release(now);
    if (!held.isEmpty()) {
      LongCounter deferred = getRuntimeContext().getLongCounter(DEFERRED_PREFIX + group);
      deferred.add(held.size());
      LOG.info(
          "{}: {} rows valid from {} on are later than the clock and were not written online; the"
              + " next sync writes them when they are due",
          group,
          held.size(),
          java.time.Instant.ofEpochMilli(held.peek().validFrom()));
      held.clear();
    }
    super.finish();
  }
}
