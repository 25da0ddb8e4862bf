package io.janus.engine.source;

import java.io.Serializable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Raw event payloads (JSON text) for the streaming job: a file, Kafka, a generator. */
public interface PayloadSource extends Serializable {

  /** The payloads; a bounded source ends the job when it is exhausted. */
  DataStream<String> payloads(StreamExecutionEnvironment env);

  /** Where the payloads come from, as recorded with dead letters ({@code file:/path}, {@code kafka:topic}). */
  String origin();
}
