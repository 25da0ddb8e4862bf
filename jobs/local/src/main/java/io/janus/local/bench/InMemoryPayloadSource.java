package io.janus.local.bench;

import io.janus.engine.flink.source.PayloadSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * JSON payloads held in this JVM's memory, served to a local MiniCluster by index. Benchmarks only.
 */
final class InMemoryPayloadSource implements PayloadSource {
  private static final Map<String, List<String>> LINES = new ConcurrentHashMap<>();
  private final String id = UUID.randomUUID().toString();
  private final long count;

  InMemoryPayloadSource(List<String> lines) {
    this.count = lines.size();
    LINES.put(id, lines);
  }

  void release() {
    LINES.remove(id);
  }

  @Override
  public DataStream<String> payloads(StreamExecutionEnvironment env) {
    String key = id;
    GeneratorFunction<Long, String> byIndex = i -> LINES.get(key).get((int) (long) i);
    return env.fromSource(
        new DataGeneratorSource<>(byIndex, count, Types.STRING),
        WatermarkStrategy.noWatermarks(),
        "in-memory payloads");
  }

  @Override
  public String origin() {
    return "memory:" + count;
  }
}
