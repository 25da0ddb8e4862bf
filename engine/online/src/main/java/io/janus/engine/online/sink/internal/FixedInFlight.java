package io.janus.engine.online.sink.internal;

import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

/**
 * At most a fixed number of batches in flight, each of up to a fixed size. The default strategy of
 * {@code AsyncSinkWriter} starts at one batch in flight and grows additively, which holds a fast
 * store back for no reason: the bound here is what the guarded writes were tuned with.
 */
public final class FixedInFlight implements RateLimitingStrategy {
  private final int maxInFlight;
  private final int maxBatchSize;
  private int inFlight;

  /**
   * @param maxInFlight batches that may be outstanding at once
   * @param maxBatchSize rows per batch
   */
  public FixedInFlight(int maxInFlight, int maxBatchSize) {
    this.maxInFlight = maxInFlight;
    this.maxBatchSize = maxBatchSize;
  }

  @Override
  public void registerInFlightRequest(RequestInfo requestInfo) {
    inFlight++;
  }

  @Override
  public void registerCompletedRequest(ResultInfo resultInfo) {
    inFlight--;
  }

  @Override
  public boolean shouldBlock(RequestInfo requestInfo) {
    return inFlight >= maxInFlight;
  }

  @Override
  public int getMaxBatchSize() {
    return maxBatchSize;
  }
}
