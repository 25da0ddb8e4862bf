package io.janus.local.bench;

import io.janus.engine.core.event.Event;
import io.janus.engine.flink.source.EventSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Events held in this JVM's memory, served to a local MiniCluster by index (so the source runs at
 * any parallelism without serializing the events into the job graph). Benchmarks only: on a remote
 * cluster the task JVMs do not have the events.
 */
public final class InMemoryEventSource implements EventSource {
  private static final Map<String, List<Event>> EVENTS = new ConcurrentHashMap<>();

  private final String id;
  private final long count;

  public InMemoryEventSource(List<Event> events) {
    this.id = UUID.randomUUID().toString();
    this.count = events.size();
    EVENTS.put(id, events);
  }

  /** Forgets the events. */
  public void release() {
    EVENTS.remove(id);
  }

  @Override
  public DataStream<Event> events(StreamExecutionEnvironment env, long fromMs, long toMs) {
    String key = id;
    GeneratorFunction<Long, Event> byIndex = i -> EVENTS.get(key).get((int) (long) i);
    DataGeneratorSource<Event> src =
        new DataGeneratorSource<>(byIndex, count, TypeInformation.of(Event.class));
    return env.fromSource(src, WatermarkStrategy.noWatermarks(), "in-memory events")
        .filter(e -> e.ts >= fromMs && e.ts < toMs)
        .name("event time in range");
  }

  @Override
  public String describe() {
    return "memory(" + count + ")";
  }
}
