package io.janus.jobs.cli;

import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.flink.ingest.Ingest;
import io.janus.engine.flink.ingest.IngestResult;
import io.janus.jobs.Failures.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus ingest}: append raw events to the source's Iceberg table, bad lines to dead letters.
 */
@Command(
    name = "ingest",
    description =
        "Append JSON-lines events to the raw Iceberg table (malformed lines go to janus.dead_letters).")
public final class IngestCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(
        names = "--file",
        paramLabel = "FILE",
        description = "JSON-lines file (or a directory of them).")
    Path file;

    @Option(
        names = "--generate",
        paramLabel = "N",
        description = "Generate N sample events and ingest them.")
    Long generate;
  }

  @Mixin SampleOptions gen;

  @Option(
      names = "--source",
      defaultValue = "clickstream",
      description = "Source definition (default: ${DEFAULT-VALUE}).")
  String source;

  @Option(names = "--json", description = "Print the summary as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    SourceDefinition src = common.definitions().source(source);
    Path file = input.file;
    if (file == null) {
      SampleSettings sample = gen.settings().withEvents(input.generate);
      file =
          common
              .config()
              .workdir()
              .resolve("events")
              .resolve("generated-" + sample.seed() + "-" + sample.events() + ".jsonl");
      Files.createDirectories(file.getParent());
      SampleEvents.find().write(sample, file);
    } else if (!Files.exists(file)) {
      throw new CliException("input file " + file + " does not exist");
    }
    IngestResult r =
        Ingest.of(common.warehouse(), src)
            .checkingGroups(common.definitions().groupsOf(src.name()))
            .run(common.env(), file);
    common.push(RunFigures.ingest(src.name(), r));
    if (json) {
      System.out.println(Json.line(r));
    } else {
      System.out.printf(
          "ingested %,d events from %s into raw.%s (%,d malformed lines to janus.dead_letters, %,d"
              + " duplicate event ids not appended again) in %.1f s%n",
          r.events(), file, src.name(), r.malformed(), r.duplicates(), r.millis() / 1000.0);
    }
    return 0;
  }
}
