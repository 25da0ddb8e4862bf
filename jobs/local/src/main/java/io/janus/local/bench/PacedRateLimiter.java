package io.janus.local.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;

/**
 * An open-loop pace for a benchmark source: record {@code n} is due {@code n / rate} seconds after
 * the first; a due record goes at once, an early one waits for its time, or 1 ms at least, so
 * records leave in small bursts of what fell due meanwhile. Flink's {@code
 * RateLimiterStrategy.perSecond} hands every single record over through another thread, which at
 * 25k records/s per subtask cost more CPU than the pipeline under test. {@link
 * #scheduledMillis(long)} tells the source's generator (same thread) when the record it is about to
 * make was due, so a latency measured from there includes any time the source was held back.
 */
final class PacedRateLimiter implements RateLimiter {
  private static final CompletableFuture<Void> NOW = CompletableFuture.completedFuture(null);
  private static final long MIN_WAIT_NANOS = 1_000_000;

  /** Wall-clock time (ms) the record about to be generated in this thread was due. */
  private static final ThreadLocal<long[]> SCHEDULED =
      ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE});

  private final double perSecond;
  private long start;
  private long startMillis;
  private long issued;

  PacedRateLimiter(double perSecond) {
    this.perSecond = perSecond;
  }

  /** {@code total} records per second across all subtasks of the source. */
  static RateLimiterStrategy perSecond(double total) {
    return parallelism -> new PacedRateLimiter(total / parallelism);
  }

  @Override
  public CompletionStage<Void> acquire() {
    long now = System.nanoTime();
    if (start == 0) {
      start = now;
      startMillis = System.currentTimeMillis();
    }
    long due = start + (long) (issued++ * 1e9 / perSecond);
    SCHEDULED.get()[0] = startMillis + (due - start) / 1_000_000;
    return due <= now
        ? NOW
        : CompletableFuture.runAsync(
            () -> {},
            CompletableFuture.delayedExecutor(
                Math.max(due - now, MIN_WAIT_NANOS), TimeUnit.NANOSECONDS));
  }

  /**
   * When the record this thread generates next was due (wall clock, ms), or {@code fallback}
   * outside a paced source.
   */
  static long scheduledMillis(long fallback) {
    long t = SCHEDULED.get()[0];
    return t == Long.MIN_VALUE ? fallback : t;
  }
}
