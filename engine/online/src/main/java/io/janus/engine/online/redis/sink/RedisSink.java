package io.janus.engine.online.redis.sink;

import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineRowEncoder;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.monitoring.MetricNames;
import java.io.IOException;
import java.time.Duration;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.table.data.RowData;

/**
 * Flink Sink V2 writing feature rows to Redis with guarded upserts through a {@link GuardedWriter}
 * per subtask: newest row per key, pipelined asynchronous batches, bounded in flight, everything
 * flushed and confirmed on each checkpoint (at-least-once, made exact by the guard), failed batches
 * retried with backoff.
 */
public final class RedisSink implements Sink<RowData> {
  /** Samples the latency and freshness quantiles are computed over, per subtask. */
  private static final int HISTOGRAM_WINDOW = 10_000;

  /** Longest a row waits in a partly filled batch. */
  private static final long SEND_DELAY_MS = 5;

  private final String uri;
  private final OnlineRowEncoder encoder;
  private final int batchSize;
  private final int maxInFlight;

  public RedisSink(String uri, OnlineRowEncoder encoder) {
    this(uri, encoder, 500, 8);
  }

  public RedisSink(String uri, OnlineRowEncoder encoder, int batchSize, int maxInFlight) {
    this.uri = uri;
    this.encoder = encoder;
    this.batchSize = batchSize;
    this.maxInFlight = maxInFlight;
  }

  @Override
  public SinkWriter<RowData> createWriter(WriterInitContext context) {
    var group = context.metricGroup().addGroup(MetricNames.GROUP);
    GuardedWriter writer =
        new GuardedWriter(
                new RedisOnlineStore(uri, Duration.ofSeconds(60)),
                batchSize,
                maxInFlight,
                group.counter(MetricNames.ONLINE_WRITES),
                group.counter(MetricNames.ONLINE_WRITES_STALE),
                group.counter(MetricNames.ONLINE_RETRIES))
            .measureLatency(
                group.histogram(
                    MetricNames.ONLINE_WRITE_LATENCY,
                    new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)));
    return new Writer(
        writer,
        encoder,
        group.histogram(
            MetricNames.ONLINE_FRESHNESS, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)),
        context.getProcessingTimeService());
  }

  /** One writer per subtask, with its own connection. */
  static final class Writer implements SinkWriter<RowData> {
    private final GuardedWriter writer;
    private final OnlineRowEncoder encoder;
    private final Histogram freshness;
    private final ProcessingTimeService time;
    private boolean sendScheduled;

    Writer(
        GuardedWriter writer,
        OnlineRowEncoder encoder,
        Histogram freshness,
        ProcessingTimeService time) {
      this.writer = writer;
      this.encoder = encoder;
      this.freshness = freshness;
      this.time = time;
    }

    @Override
    public void write(RowData row, Context context) throws IOException {
      OnlineRow r = encoder.encode(row);
      // How far behind the wall clock a value is when it goes out: the event-time age of online
      // values.
      freshness.update(Math.max(0, System.currentTimeMillis() - r.validFrom()));
      writer.write(r);
      // Rows come in bursts (all keys a watermark fires); the tail of a burst goes out after a few
      // milliseconds instead of waiting for the next burst to fill its batch. The timer runs in the
      // task's thread, like write().
      if (!sendScheduled && writer.hasBuffered()) {
        sendScheduled = true;
        time.registerTimer(
            time.getCurrentProcessingTime() + SEND_DELAY_MS,
            ts -> {
              sendScheduled = false;
              writer.sendBuffered();
            });
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      writer.flush();
    }

    @Override
    public void close() {
      writer.close();
    }
  }
}
