package io.janus.engine.flink.ingest;

/**
 * What an ingest did.
 *
 * @param runId the run
 * @param events events appended to the raw table
 * @param malformed lines sent to the dead-letter table
 * @param millis wall time of the Flink job
 */
public record IngestResult(String runId, long events, long malformed, long millis) {}
