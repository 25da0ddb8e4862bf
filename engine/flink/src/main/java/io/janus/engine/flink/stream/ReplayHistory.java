package io.janus.engine.flink.stream;

import io.janus.engine.core.event.Event;
import io.janus.engine.iceberg.RawEvents;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.table.data.RowData;

/**
 * Raw-table rows of a bootstrap as events, from its start on (the file pruning of the read is
 * coarse), counted in {@link #REPLAYED}. The reader announces, before each split, one millisecond
 * less than the split's smallest event time as its watermark, and the splits come in that order.
 *
 * <p>When the history ends, the source sends the final watermark; passed on, it would stay the
 * watermark of these channels, and once the live source went idle (its channels then no longer
 * count) the pipelines would take it for theirs and fire every timer to the end of time. This
 * operator declares its output idle instead, so from then on the live events alone move time.
 */
final class ReplayHistory extends AbstractStreamOperator<Event>
    implements OneInputStreamOperator<RowData, Event> {
  /** Accumulator of the events replayed. */
  static final String REPLAYED = "janus-events-replayed";

  private final RawEvents raw;
  private final long from;
  private transient LongCounter replayed;

  ReplayHistory(RawEvents raw, long from) {
    this.raw = raw;
    this.from = from;
  }

  @Override
  public void open() throws Exception {
    super.open();
    replayed = getRuntimeContext().getLongCounter(REPLAYED);
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    Event e = raw.toEvent(element.getValue());
    if (e.ts < from) return;
    replayed.add(1);
    output.collect(new StreamRecord<>(e, e.ts));
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    if (mark.getTimestamp() == Long.MAX_VALUE) {
      output.emitWatermarkStatus(WatermarkStatus.IDLE);
    } else {
      super.processWatermark(mark);
    }
  }
}
