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

  /**
   * Reaches the brokers as the job's enumerator will and describes the topic, so that what the job
   * would retry forever fails at once: refused credentials (SASL, TLS), a missing permission, a
   * missing topic.
   *
   * @param timeout how long to wait for the brokers
   * @return a warning when the brokers did not answer in time (the job then retries on its own),
   *     else empty
   * @throws IllegalStateException naming the brokers and Kafka's reason when they refused
   */
  public java.util.Optional<String> probe(java.time.Duration timeout) {
    java.util.Properties p = new java.util.Properties();
    p.putAll(properties);
    p.put("bootstrap.servers", bootstrap);
    p.put("client.id", groupId + "-probe");
    p.put("default.api.timeout.ms", String.valueOf(timeout.toMillis()));
    p.put("request.timeout.ms", String.valueOf(timeout.toMillis()));
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(p)) {
      admin
          .describeTopics(java.util.List.of(topic))
          .allTopicNames()
          .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return java.util.Optional.empty();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        return java.util.Optional.of(unreachable(cause));
      }
      throw new IllegalStateException(
          "kafka " + bootstrap + ", topic " + topic + ": " + cause.getMessage(), cause);
    } catch (java.util.concurrent.TimeoutException e) {
      return java.util.Optional.of(unreachable(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.of(unreachable(e));
    } catch (org.apache.kafka.common.KafkaException e) {
      // A client that cannot be built: a trust store that cannot be read, a bad setting.
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      throw new IllegalStateException(
          "kafka " + bootstrap + ": " + e.getMessage() + " (" + root.getMessage() + ")", e);
    }
  }

  private String unreachable(Throwable why) {
    return "kafka "
        + bootstrap
        + " did not answer from here ("
        + why.getMessage()
        + "); the job retries on its own";
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
