package io.janus.engine.flink.sync;

import io.janus.engine.online.OnlineRowEncoder;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.engine.online.redis.sink.GuardedWriter;
import io.janus.monitoring.MetricNames;
import java.time.Duration;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes sync rows to Redis through a {@link GuardedWriter} and, once its input ends, reports what
 * landed and what the guard refused as accumulators, so the sync can print an exact summary (a Sink
 * V2 writer has no way to hand figures back to the client).
 */
final class SyncWriteOperator extends AbstractStreamOperator<Void>
    implements OneInputStreamOperator<RowData, Void>, BoundedOneInput {
  private static final Logger LOG = LoggerFactory.getLogger(SyncWriteOperator.class);
  static final String WRITTEN = "janus-sync-written";
  static final String REFUSED = "janus-sync-refused";
  static final String RETRACTIONS = "janus-sync-retractions";

  private final String uri;
  private final OnlineRowEncoder encoder;
  private final SyncRows rows;
  private transient GuardedWriter writer;
  private transient LongCounter retractions;
  private transient long firstNanos;

  SyncWriteOperator(String uri, OnlineRowEncoder encoder, SyncRows rows) {
    this.uri = uri;
    this.encoder = encoder;
    this.rows = rows;
  }

  @Override
  public void open() throws Exception {
    super.open();
    MetricGroup group = getMetricGroup().addGroup(MetricNames.GROUP);
    writer =
        new GuardedWriter(
            new RedisOnlineStore(uri, Duration.ofSeconds(60)),
            500,
            8,
            group.counter(MetricNames.ONLINE_WRITES),
            group.counter(MetricNames.ONLINE_WRITES_STALE),
            group.counter(MetricNames.ONLINE_RETRIES));
    retractions = new LongCounter();
    getRuntimeContext().addAccumulator(RETRACTIONS, retractions);
  }

  @Override
  public void processElement(StreamRecord<RowData> element) throws Exception {
    if (firstNanos == 0) firstNanos = System.nanoTime();
    RowData row = element.getValue();
    long upTo = rows.replaceUpTo(row);
    if (rows.isRetraction(row)) {
      retractions.add(1);
      writer.write(encoder.retraction(row, upTo));
    } else {
      writer.write(encoder.encode(row, upTo));
    }
  }

  @Override
  public void endInput() throws Exception {
    writer.flush();
    double seconds = firstNanos == 0 ? 0 : (System.nanoTime() - firstNanos) / 1e9;
    LOG.info(
        "redis guarded writes (subtask {}): {} landed, {} refused by the guard, in {} s since the first row ({} keys/s)",
        getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(),
        writer.landed(),
        writer.refused(),
        String.format("%.1f", seconds),
        seconds == 0 ? 0 : Math.round((writer.landed() + writer.refused()) / seconds));
    getRuntimeContext().addAccumulator(WRITTEN, new LongCounter(writer.landed()));
    getRuntimeContext().addAccumulator(REFUSED, new LongCounter(writer.refused()));
  }

  @Override
  public void close() throws Exception {
    if (writer != null) writer.close();
    super.close();
  }
}
