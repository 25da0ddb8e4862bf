package io.janus.engine.online;

import io.janus.monitoring.MetricNames;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.RowData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink Sink V2 writing feature rows to Redis with guarded upserts: rows buffered briefly (5 ms or
 * a batch) keeping only the newest per key, then pipelined batches sent
 * asynchronously, at most {@code maxInFlight} batches outstanding (back-pressure instead of an
 * unbounded buffer), everything flushed and confirmed on each checkpoint (at-least-once, made exact
 * by the guard), failed batches retried with exponential backoff.
 */
public final class RedisSink implements Sink<RowData> {
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
    return new Writer(new RedisOnlineStore(uri, java.time.Duration.ofSeconds(60)), encoder, batchSize, maxInFlight,
        group.counter(MetricNames.ONLINE_WRITES), group.counter(MetricNames.ONLINE_WRITES_STALE), group.counter(MetricNames.ONLINE_RETRIES));
  }

  /** One writer per subtask, with its own connection. */
  static final class Writer implements SinkWriter<RowData> {
    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);
    private static final int MAX_ATTEMPTS = 8;

    private final OnlineStore store;
    private final OnlineRowEncoder encoder;
    private final int batchSize;
    private final int maxInFlight;
    private final Counter written;
    private final Counter stale;
    private final Counter retries;
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    /** Rows waiting to be sent, the newest per key: older rows of a key would be refused by the guard anyway. */
    private Map<String, OnlineRow> buffer = new LinkedHashMap<>();
    private long firstBufferedNanos;
    /** A partly filled batch is sent once it is this old, so a slow stream still reaches Redis quickly. */
    private static final long MAX_BATCH_DELAY_NANOS = 5_000_000L;

    private record Batch(List<OnlineRow> rows, CompletableFuture<List<Boolean>> result) {}

    Writer(OnlineStore store, OnlineRowEncoder encoder, int batchSize, int maxInFlight, Counter written, Counter stale, Counter retries) {
      this.store = store;
      this.encoder = encoder;
      this.batchSize = batchSize;
      this.maxInFlight = maxInFlight;
      this.written = written;
      this.stale = stale;
      this.retries = retries;
    }

    @Override
    public void write(RowData row, Context context) throws IOException {
      if (buffer.isEmpty()) {
        firstBufferedNanos = System.nanoTime();
      }
      OnlineRow r = encoder.encode(row);
      OnlineRow previous = buffer.get(r.storeKey());
      if (previous == null || r.validFrom() >= previous.validFrom()) {
        buffer.put(r.storeKey(), r);
      }
      if (buffer.size() >= batchSize || System.nanoTime() - firstBufferedNanos > MAX_BATCH_DELAY_NANOS) {
        send();
      }
    }

    private void send() throws IOException {
      if (buffer.isEmpty()) return;
      List<OnlineRow> rows = new ArrayList<>(buffer.values());
      buffer = new LinkedHashMap<>();
      inFlight.add(new Batch(rows, store.multiPut(rows)));
      while (inFlight.size() > maxInFlight) {
        complete(inFlight.poll());
      }
    }

    /** Waits for a batch; on failure, re-sends it (guarded writes are idempotent) with backoff. */
    private void complete(Batch b) throws IOException {
      long backoff = 50;
      for (int attempt = 1; ; attempt++) {
        try {
          List<Boolean> landed = (attempt == 1 ? b.result() : store.multiPut(b.rows())).get();
          for (Boolean l : landed) {
            if (l) written.inc();
            else stale.inc();
          }
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while writing to Redis", e);
        } catch (ExecutionException e) {
          if (attempt >= MAX_ATTEMPTS) {
            throw new IOException("Redis write failed after " + attempt + " attempts: " + e.getCause().getMessage(), e.getCause());
          }
          retries.inc();
          LOG.warn("Redis write of {} rows failed (attempt {}), retrying in {} ms: {}", b.rows().size(), attempt, backoff, e.getCause().getMessage());
          try {
            Thread.sleep(backoff);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while retrying a Redis write", ie);
          }
          backoff = Math.min(backoff * 2, 5000);
        }
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      send();
      while (!inFlight.isEmpty()) {
        complete(inFlight.poll());
      }
    }

    @Override
    public void close() throws Exception {
      store.close();
    }
  }
}
