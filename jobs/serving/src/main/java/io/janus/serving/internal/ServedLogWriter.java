package io.janus.serving.internal;

import io.janus.engine.core.served.ServedValue;
import io.janus.serving.ServedSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served-feature log's writer: request handlers {@link #offer} values of sampled keys into a
 * bounded queue (never blocking: a full queue drops and counts), and one background thread hands
 * them to the sink in batches, every flush interval or when a batch is full. A batch the sink
 * refuses is kept and offered again, up to two batches' worth (the oldest are dropped beyond).
 */
public final class ServedLogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServedLogWriter.class);

  /** Attempts to write what is left when the writer closes. */
  private static final int SHUTDOWN_ATTEMPTS = 5;

  private final ServedSink sink;
  private final double rate;
  private final long flushMs;
  private final int maxBatch;
  private final ServerMetrics metrics;
  private final ArrayBlockingQueue<ServedValue> queue;
  private final Thread thread;
  private volatile boolean closing;

  /**
   * Starts the writer's thread.
   *
   * @param sink where batches go
   * @param rate share of keys logged
   * @param flushEvery longest time a value waits in the writer
   * @param maxBatch values per batch; the queue holds four batches
   * @param metrics where logged, dropped and failed counts go
   */
  public ServedLogWriter(
      ServedSink sink, double rate, Duration flushEvery, int maxBatch, ServerMetrics metrics) {
    this.sink = sink;
    this.rate = rate;
    this.flushMs = flushEvery.toMillis();
    this.maxBatch = maxBatch;
    this.metrics = metrics;
    this.queue = new ArrayBlockingQueue<>(4 * maxBatch);
    this.thread = new Thread(this::run, "janus-served-log");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether values of {@code key} are logged. */
  public boolean sampled(String key) {
    return ServedValue.sampled(key, rate);
  }

  /** Queues a value of a sampled key; drops (and counts) it when the queue is full. */
  public void offer(ServedValue value) {
    if (!queue.offer(value)) metrics.servedLogDropped(1);
  }

  private void run() {
    List<ServedValue> batch = new ArrayList<>();
    long next = System.currentTimeMillis() + flushMs;
    boolean failing = false;
    while (!closing) {
      try {
        long wait = Math.max(1, next - System.currentTimeMillis());
        if (batch.size() >= 2 * maxBatch) {
          // The sink is failing and the batch is full: new values wait in (or drop at) the queue.
          Thread.sleep(wait);
        } else {
          ServedValue v = queue.poll(wait, TimeUnit.MILLISECONDS);
          if (v != null) batch.add(v);
        }
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(batch, Math.max(0, 2 * maxBatch - batch.size()));
      long now = System.currentTimeMillis();
      // A full batch goes at once, unless the sink is failing: then once per interval.
      if ((batch.size() >= maxBatch && !failing) || now >= next) {
        failing = !flush(batch);
        next = now + flushMs;
      }
    }
    queue.drainTo(batch);
    // Closing: a few more attempts, one flush interval apart, before giving up on what is left.
    for (int attempt = 1; attempt < SHUTDOWN_ATTEMPTS && !flush(batch); attempt++) {
      try {
        Thread.sleep(flushMs);
      } catch (InterruptedException e) {
        break;
      }
    }
    if (!batch.isEmpty()) {
      metrics.servedLogDropped(batch.size());
      LOG.warn("served-feature log: {} values dropped at shutdown", batch.size());
    }
  }

  /** Hands {@code batch} to the sink; true when it took it (the batch is then empty). */
  private boolean flush(List<ServedValue> batch) {
    if (batch.isEmpty()) return true;
    try {
      sink.write(List.copyOf(batch));
      metrics.servedLogged(batch.size());
      batch.clear();
      return true;
    } catch (Exception e) {
      metrics.servedLogFailed();
      LOG.warn("served-feature log: {} values not stored yet: {}", batch.size(), e.toString());
      // Bounded while serving; when closing, everything left gets its last attempts.
      if (!closing && batch.size() > 2 * maxBatch) {
        int drop = batch.size() - 2 * maxBatch;
        batch.subList(0, drop).clear();
        metrics.servedLogDropped(drop);
      }
      return false;
    }
  }

  /** Writes what is queued (a few last attempts, one flush interval apart) and stops the thread. */
  @Override
  public void close() {
    closing = true;
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
