package io.janus.engine.online.sink;

import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineStore;
import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.sink.internal.NewestPerKeyBatches;
import io.janus.monitoring.MetricNames;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask's guarded writes on Flink's {@link AsyncSinkWriter}: it buffers rows, sends a batch
 * when it is full or after a few milliseconds, keeps a fixed number in flight, waits for them at
 * each checkpoint (buffered rows go into state), and re-queues a failed batch after a backoff that
 * does not block the task thread. Re-sending is safe because guarded writes are idempotent. After
 * too many failures in a row the job fails (and restarts from its last checkpoint).
 */
final class OnlineSinkWriter<InputT> extends AsyncSinkWriter<InputT, OnlineRow>
    implements CommittingSinkWriter<InputT, WriteFigures> {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineSinkWriter.class);

  /** Consecutive failed batches after which the job fails instead of retrying. */
  private static final int MAX_ATTEMPTS = 8;

  /** Samples the latency quantiles are computed over. */
  private static final int HISTOGRAM_WINDOW = 10_000;

  private final OnlineStore store;
  private final Counter landedMetric;
  private final Counter refusedMetric;
  private final Counter retriesMetric;
  private final Histogram latency;
  private final LongAdder landed = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder retractions = new LongAdder();
  private final AtomicInteger failuresInARow = new AtomicInteger();

  /**
   * @param converter turns each input into a row
   * @param context the writer's context
   * @param configuration batch size, in-flight bound, buffer and timing
   * @param states rows a previous attempt still buffered at its checkpoint
   * @param stores opens this subtask's own connection
   */
  OnlineSinkWriter(
      ElementConverter<InputT, OnlineRow> converter,
      WriterInitContext context,
      AsyncSinkWriterConfiguration configuration,
      Collection<BufferedRequestState<OnlineRow>> states,
      OnlineStoreFactory stores) {
    super(
        converter,
        context,
        configuration,
        states,
        new NewestPerKeyBatches(),
        new DequeRequestBuffer<>());
    this.store = stores.open();
    MetricGroup group = context.metricGroup().addGroup(MetricNames.GROUP);
    landedMetric = group.counter(MetricNames.ONLINE_WRITES, new ThreadSafeSimpleCounter());
    refusedMetric = group.counter(MetricNames.ONLINE_WRITES_STALE, new ThreadSafeSimpleCounter());
    retriesMetric = group.counter(MetricNames.ONLINE_RETRIES, new ThreadSafeSimpleCounter());
    latency =
        group.histogram(
            MetricNames.ONLINE_WRITE_LATENCY, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
  }

  @Override
  protected void submitRequestEntries(List<OnlineRow> rows, ResultHandler<OnlineRow> handler) {
    long sent = System.nanoTime();
    CompletableFuture<List<Boolean>> result;
    try {
      result = store.multiPut(rows);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete(
        (landedPerRow, error) -> {
          if (error == null) {
            account(rows, landedPerRow, sent);
            handler.complete();
          } else {
            retryLater(rows, handler, error);
          }
        });
  }

  /**
   * Counts what landed and what the guard refused. It runs on the store client's thread (for
   * Lettuce, its event loop), so it sums the batch first and touches the shared counters once.
   */
  private void account(List<OnlineRow> rows, List<Boolean> landedPerRow, long sentNanos) {
    failuresInARow.set(0);
    long ok = 0;
    long removed = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (landedPerRow.get(i)) ok++;
      if (rows.get(i).isRetraction()) removed++;
    }
    long stale = rows.size() - ok;
    landed.add(ok);
    refused.add(stale);
    retractions.add(removed);
    landedMetric.inc(ok);
    refusedMetric.inc(stale);
    synchronized (latency) {
      latency.update((System.nanoTime() - sentNanos) / 1_000_000);
    }
  }

  /** Re-queues a failed batch after an exponential backoff, or fails the job after too many. */
  private void retryLater(List<OnlineRow> rows, ResultHandler<OnlineRow> handler, Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    int attempt = failuresInARow.incrementAndGet();
    if (attempt >= MAX_ATTEMPTS) {
      handler.completeExceptionally(
          new IOException(
              "online store write failed " + attempt + " times in a row: " + cause.getMessage(),
              cause));
      return;
    }
    retriesMetric.inc();
    long backoff = Math.min(50L << (attempt - 1), 5_000);
    LOG.warn(
        "online store write of {} rows failed (attempt {}), retrying in {} ms: {}",
        rows.size(),
        attempt,
        backoff,
        cause.getMessage());
    CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS)
        .execute(() -> handler.retryForEntries(rows));
  }

  @Override
  protected long getSizeInBytes(OnlineRow row) {
    // An estimate: sizes only bound a batch, and counting characters would cost more than writing.
    return 64 + 48L * (row.values() == null ? 0 : row.values().size());
  }

  /** What landed since the last call: completed writes only, since flush waited for the rest. */
  @Override
  public Collection<WriteFigures> prepareCommit() {
    return List.of(
        new WriteFigures(
            landed.sumThenReset(), refused.sumThenReset(), retractions.sumThenReset()));
  }

  @Override
  public void close() {
    super.close();
    store.close();
  }
}
