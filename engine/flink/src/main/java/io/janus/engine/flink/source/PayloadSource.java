package io.janus.engine.flink.source;

import java.io.Serializable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Raw event payloads (JSON text) for the streaming job: a file, Kafka, a generator. */
public interface PayloadSource extends Serializable {

  /** The payloads; a bounded source ends the job when it is exhausted. */
  DataStream<String> payloads(StreamExecutionEnvironment env);

  /**
   * Whether the source reads several splits per reader whose event times differ (Kafka partitions):
   * then watermarks must be generated per split, inside the source, through {@link
   * #payloads(StreamExecutionEnvironment, WatermarkStrategy)}.
   */
  default boolean watermarksPerSplit() {
    return false;
  }

  /** The payloads with timestamps and watermarks generated per split by {@code watermarks}. */
  default DataStream<String> payloads(
      StreamExecutionEnvironment env, WatermarkStrategy<String> watermarks) {
    throw new UnsupportedOperationException(origin() + " does not generate watermarks per split");
  }

  /**
   * Where the payloads come from, as recorded with dead letters ({@code file:/path}, {@code
   * kafka:topic}).
   */
  String origin();
}
