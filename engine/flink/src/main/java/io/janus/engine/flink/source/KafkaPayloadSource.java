package io.janus.engine.flink.source;

import io.janus.engine.core.event.EventParser;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * JSON events from a Kafka topic through {@code flink-connector-kafka}. The consumer group's
 * offsets are committed on checkpoints; where to start is configurable; a bounded source stops at
 * the offsets that were latest when the job started (tests, catch-up runs).
 */
public final class KafkaPayloadSource implements PayloadSource {
  /** Where a consumer group without committed offsets, or a fresh run, starts. */
  public enum StartOffsets {
    /** Committed offsets of the group, else the earliest. */
    COMMITTED,
    EARLIEST,
    LATEST;

    public static StartOffsets parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "start offsets '" + s + "' must be committed, earliest or latest");
      }
    }
  }

  private final String bootstrap;
  private final String topic;
  private final String groupId;
  private final StartOffsets start;
  private final boolean bounded;
  private final HashMap<String, String> properties;

  public KafkaPayloadSource(
      String bootstrap,
      String topic,
      String groupId,
      StartOffsets start,
      boolean bounded,
      Map<String, String> properties) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.groupId = groupId;
    this.start = start;
    this.bounded = bounded;
    this.properties = new HashMap<>(properties);
  }

  @Override
  public DataStream<String> payloads(StreamExecutionEnvironment env) {
    return payloads(env, WatermarkStrategy.noWatermarks());
  }

  /**
   * Each partition keeps its own watermark; the reader's is the least of them (Flink's per-split
   * watermarks).
   */
  @Override
  public boolean watermarksPerSplit() {
    return true;
  }

  @Override
  public DataStream<String> payloads(
      StreamExecutionEnvironment env, WatermarkStrategy<String> watermarks) {
    KafkaSourceBuilder<String> b =
        KafkaSource.<String>builder()
            .setBootstrapServers(bootstrap)
            .setTopics(topic)
            .setGroupId(groupId)
            .setValueOnlyDeserializer(new NullSafeStrings())
            .setProperty("commit.offsets.on.checkpoint", "true")
            .setStartingOffsets(
                switch (start) {
                  case COMMITTED ->
                      OffsetsInitializer.committedOffsets(
                          org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST);
                  case EARLIEST -> OffsetsInitializer.earliest();
                  case LATEST -> OffsetsInitializer.latest();
                });
    properties.forEach(b::setProperty);
    if (bounded) {
      b.setBounded(OffsetsInitializer.latest());
    }
    return env.fromSource(
        new io.janus.engine.flink.source.internal.RestorableBoundedKafka<>(b.build()),
        watermarks,
        "kafka " + topic,
        org.apache.flink.api.common.typeinfo.Types.STRING);
  }

  @Override
  public String origin() {
    return "kafka:" + topic;
  }

  /**
   * UTF-8 values; a record without a value (a tombstone) becomes {@link EventParser#NULL_VALUE},
   * which parsing sends to dead letters ({@code SimpleStringSchema} throws on it, and the job would
   * restart forever).
   */
  static final class NullSafeStrings extends SimpleStringSchema {
    private static final long serialVersionUID = 1L;

    @Override
    public String deserialize(byte[] message) {
      return message == null ? EventParser.NULL_VALUE : super.deserialize(message);
    }
  }
}
