package io.janus.engine.flink.stream;

import io.janus.engine.core.event.Event;
import io.janus.engine.iceberg.RawEvents;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;

/**
 * Raw-table rows of a bootstrap as events, from its start on (the file pruning of the read is
 * coarse), counted in {@link #REPLAYED}. The reader announces a split's smallest event time as its
 * watermark, while Flink's watermark says no later record is at or before it; this operator passes
 * each watermark on one millisecond earlier, so the split's first events are not late.
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
    long t = mark.getTimestamp();
    super.processWatermark(t == Long.MAX_VALUE ? mark : new Watermark(t - 1));
  }
}
