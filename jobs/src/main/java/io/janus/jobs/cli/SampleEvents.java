package io.janus.jobs.cli;

import io.janus.engine.flink.source.PayloadSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * The sample-event generator, which the local launcher ({@code bin/janus}) registers through {@link
 * ServiceLoader}. The {@code flink run} jar carries none, so {@code ingest --generate} and {@code
 * --source generate:N} work only locally; on a cluster, ingest or stream a generated file.
 */
public interface SampleEvents {
  /**
   * Writes the events of {@code settings} as JSON lines.
   *
   * @param settings what to generate
   * @param file where to write them
   * @return the seed used
   * @throws IOException when the file cannot be written
   */
  long write(SampleSettings settings, Path file) throws IOException;

  /**
   * The events of {@code settings} as a bounded streaming source.
   *
   * @param settings what to generate
   * @return the source
   */
  PayloadSource source(SampleSettings settings);

  /**
   * The registered generator.
   *
   * @return the generator
   * @throws io.janus.jobs.Failures.CliException naming {@code bin/janus} when this jar has none
   */
  static SampleEvents find() {
    return ServiceLoader.load(SampleEvents.class)
        .findFirst()
        .orElseThrow(
            () ->
                new io.janus.jobs.Failures.CliException(
                    "this jar has no sample-event generator (bin/janus has one): generate a file"
                        + " with bin/janus generate --out FILE and use it"));
  }
}
