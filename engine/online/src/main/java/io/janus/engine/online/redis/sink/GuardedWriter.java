package io.janus.engine.online.redis.sink;

import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineStore;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.SimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches guarded writes to an {@link OnlineStore}: rows are buffered briefly (a batch, or a few ms
 * for a slow stream) keeping only the newest per key, then sent asynchronously with at most {@code
 * maxInFlight} batches outstanding (back-pressure instead of an unbounded buffer); failed batches
 * are re-sent with exponential backoff, which is safe because guarded writes are idempotent. Not
 * thread-safe: one per task.
 */
public final class GuardedWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedWriter.class);
  private static final int MAX_ATTEMPTS = 8;

  /**
   * A partly filled batch is sent once it is this old, so a slow stream still reaches Redis
   * quickly.
   */
  private static final long MAX_BATCH_DELAY_NANOS = 5_000_000L;

  private final OnlineStore store;
  private final int batchSize;
  private final int maxInFlight;
  private final Counter landed;
  private final Counter refused;
  private final Counter retries;

  /** Milliseconds from sending a batch until it is confirmed (null = not measured). */
  private Histogram latency;

  private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();

  /**
   * Rows waiting to be sent, the newest per key: older rows of a key would be refused by the guard
   * anyway.
   */
  private Map<String, OnlineRow> buffer = new LinkedHashMap<>();

  private long firstBufferedNanos;

  /**
   * A batch in flight; the store's callback notes when it was confirmed, for the latency histogram.
   */
  private static final class Batch {
    final List<OnlineRow> rows;
    final CompletableFuture<List<Boolean>> result;
    final long sentNanos = System.nanoTime();
    volatile long doneNanos;

    Batch(List<OnlineRow> rows, CompletableFuture<List<Boolean>> result) {
      this.rows = rows;
      this.result = result;
      result.whenComplete((r, e) -> doneNanos = System.nanoTime());
    }
  }

  /**
   * @param landed counts rows written (or keys removed)
   * @param refused counts rows the guard refused because the store held a newer value
   * @param retries counts batches sent again after a failure
   */
  public GuardedWriter(
      OnlineStore store,
      int batchSize,
      int maxInFlight,
      Counter landed,
      Counter refused,
      Counter retries) {
    this.store = store;
    this.batchSize = batchSize;
    this.maxInFlight = maxInFlight;
    this.landed = landed;
    this.refused = refused;
    this.retries = retries;
  }

  /** A writer with counters of its own (see {@link #landed()}, {@link #refused()}). */
  public GuardedWriter(OnlineStore store, int batchSize, int maxInFlight) {
    this(
        store,
        batchSize,
        maxInFlight,
        new SimpleCounter(),
        new SimpleCounter(),
        new SimpleCounter());
  }

  /**
   * Also records each batch's write latency (send to confirmation, milliseconds) in {@code
   * histogram}.
   */
  public GuardedWriter measureLatency(Histogram histogram) {
    this.latency = histogram;
    return this;
  }

  /**
   * Buffers a row; sends the buffer when it is full or old, blocking while too many batches are in
   * flight.
   */
  public void write(OnlineRow r) throws IOException {
    if (buffer.isEmpty()) {
      firstBufferedNanos = System.nanoTime();
    }
    String key = r.storeKey();
    OnlineRow previous = buffer.get(key);
    if (previous == null || r.validFrom() >= previous.validFrom()) {
      buffer.put(key, r);
    }
    if (buffer.size() >= batchSize
        || System.nanoTime() - firstBufferedNanos > MAX_BATCH_DELAY_NANOS) {
      send();
    }
  }

  /** Whether rows wait in the buffer for their batch to be sent. */
  public boolean hasBuffered() {
    return !buffer.isEmpty();
  }

  /**
   * Sends what is buffered without waiting for it (a batch that stopped filling must not wait for
   * the next row).
   */
  public void sendBuffered() throws IOException {
    send();
    reapDone();
  }

  /** Sends what is buffered and waits until every batch is confirmed. */
  public void flush() throws IOException {
    send();
    while (!inFlight.isEmpty()) {
      complete(inFlight.poll());
    }
  }

  public long landed() {
    return landed.getCount();
  }

  public long refused() {
    return refused.getCount();
  }

  public long retries() {
    return retries.getCount();
  }

  private void send() throws IOException {
    if (buffer.isEmpty()) return;
    List<OnlineRow> rows = new ArrayList<>(buffer.values());
    buffer = new LinkedHashMap<>();
    inFlight.add(new Batch(rows, store.multiPut(rows)));
    while (inFlight.size() > maxInFlight) {
      complete(inFlight.poll());
    }
    reapDone();
  }

  /**
   * Accounts for the batches already confirmed (or failed: those are retried now rather than at the
   * next checkpoint).
   */
  private void reapDone() throws IOException {
    while (!inFlight.isEmpty() && inFlight.peek().result.isDone()) {
      complete(inFlight.poll());
    }
  }

  /** Waits for a batch; on failure, re-sends it with backoff. */
  private void complete(Batch b) throws IOException {
    long backoff = 50;
    for (int attempt = 1; ; attempt++) {
      try {
        List<Boolean> result = (attempt == 1 ? b.result : store.multiPut(b.rows)).get();
        for (Boolean l : result) {
          if (l) landed.inc();
          else refused.inc();
        }
        if (latency != null) {
          long done = attempt == 1 && b.doneNanos != 0 ? b.doneNanos : System.nanoTime();
          latency.update((done - b.sentNanos) / 1_000_000);
        }
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while writing to the online store", e);
      } catch (ExecutionException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new IOException(
              "online store write failed after "
                  + attempt
                  + " attempts: "
                  + e.getCause().getMessage(),
              e.getCause());
        }
        retries.inc();
        LOG.warn(
            "online store write of {} rows failed (attempt {}), retrying in {} ms: {}",
            b.rows.size(),
            attempt,
            backoff,
            e.getCause().getMessage());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while retrying an online store write", ie);
        }
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
