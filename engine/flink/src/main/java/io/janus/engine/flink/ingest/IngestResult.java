package io.janus.engine.flink.ingest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.nio.file.Path;

/**
 * What an ingest did. Serialized by Jackson as the {@code janus ingest --json} line.
 *
 * @param runId the run
 * @param source the source whose raw table received the events
 * @param file the file (or directory) read, absolute
 * @param events events appended to the raw table
 * @param malformed lines sent to the dead-letter table
 * @param duplicates valid events not appended because the raw table already held their event id, or
 *     the input repeated it
 * @param millis wall time of the Flink job
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"run_id", "source", "file", "events", "malformed", "duplicates", "seconds"})
public record IngestResult(
    String runId,
    String source,
    @JsonSerialize(using = ToStringSerializer.class) Path file,
    long events,
    long malformed,
    long duplicates,
    @JsonIgnore long millis) {

  @JsonProperty("seconds")
  double seconds() {
    return millis / 1000.0;
  }
}
