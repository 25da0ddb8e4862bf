package io.janus.engine.source;

import io.janus.engine.compute.Event;
import java.io.Serializable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Where a pipeline's events come from: the raw Iceberg table, a file, Kafka, a generator. */
public interface EventSource extends Serializable {

  /**
   * The events with event time in {@code [fromMs, toMs)} (bounded sources) or all events from now on
   * (unbounded ones, which may ignore the bounds).
   */
  DataStream<Event> events(StreamExecutionEnvironment env, long fromMs, long toMs);

  /** A short description for logs and job names. */
  String describe();
}
