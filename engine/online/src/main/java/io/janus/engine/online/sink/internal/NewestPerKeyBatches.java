package io.janus.engine.online.sink.internal;

import io.janus.engine.online.OnlineRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.connector.base.sink.writer.BatchCreator;
import org.apache.flink.connector.base.sink.writer.RequestBuffer;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;

/**
 * Takes the next batch from the writer's buffer keeping only the newest row per key (greatest
 * {@code valid_from}, the later one on a tie): the guard would refuse the older ones anyway, so
 * they need not travel.
 */
public final class NewestPerKeyBatches implements BatchCreator<OnlineRow> {
  @Override
  public org.apache.flink.connector.base.sink.writer.Batch<OnlineRow> createNextBatch(
      RequestInfo requestInfo, RequestBuffer<OnlineRow> buffer) {
    int max = requestInfo.getBatchSize();
    Map<String, OnlineRow> newest = new LinkedHashMap<>(Math.max(16, max * 2));
    long bytes = 0;
    for (int taken = 0; taken < max && !buffer.isEmpty(); taken++) {
      RequestEntryWrapper<OnlineRow> entry = buffer.poll();
      bytes += entry.getSize();
      OnlineRow row = entry.getRequestEntry();
      newest.merge(
          row.storeKey(), row, (old, now) -> now.validFrom() >= old.validFrom() ? now : old);
    }
    return new org.apache.flink.connector.base.sink.writer.Batch<>(
        new ArrayList<>(newest.values()), bytes);
  }
}
