package io.janus.jobs.cli;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.parity.ParityCheck;
import io.janus.engine.flink.parity.ParityReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code janus parity}: compares Redis with the offline table; exit code 1 above the mismatch
 * threshold.
 */
@Command(
    name = "parity",
    description =
        "Compare online values with the offline row valid at their valid_from; exit 1 when the mismatch rate exceeds the maximum.")
public final class ParityCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin RedisOptions redis;

  @Option(names = "--group", required = true, description = "Feature group.")
  String group;

  @ArgGroup(exclusive = true)
  Scope scope = new Scope();

  static final class Scope {
    @Option(
        names = "--sample",
        paramLabel = "N",
        description = "Check N keys, chosen by key hash (the same keys on every run).")
    Integer sample;

    @Option(names = "--all", description = "Check every key (the default).")
    boolean all;
  }

  @Option(
      names = "--as-of-snapshot",
      paramLabel = "ID",
      description =
          "Compare with the offline table as of this snapshot (default: main's current one).")
  Long snapshot;

  @Option(
      names = "--max-mismatch-rate",
      paramLabel = "R",
      defaultValue = "0",
      description =
          "Largest share of checked keys that may differ, 0..1 (default: ${DEFAULT-VALUE}).")
  double maxMismatchRate;

  @Option(
      names = "--examples",
      paramLabel = "K",
      defaultValue = "10",
      description = "How many of the worst keys to list (default: ${DEFAULT-VALUE}).")
  int examples;

  @Option(names = "--json", description = "Print the report as one JSON object.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    // Bad arguments exit 2 before anything starts.
    if (scope.sample != null && scope.sample <= 0)
      throw new ParameterException(
          spec.commandLine(), "--sample must be positive, got " + scope.sample);
    if (examples < 0)
      throw new ParameterException(
          spec.commandLine(), "--examples must not be negative, got " + examples);
    if (!(maxMismatchRate >= 0 && maxMismatchRate <= 1)) {
      throw new ParameterException(
          spec.commandLine(), "--max-mismatch-rate must be within 0..1, got " + maxMismatchRate);
    }
    FeatureGroup g = common.group(group);
    try (RedisOptions.Server server = redis.open(common.config())) {
      ParityCheck check =
          ParityCheck.of(common.warehouse(), g, server.stores())
              .withMaxMismatchRate(maxMismatchRate)
              .withExamples(examples);
      if (scope.sample != null) check = check.withSample(scope.sample);
      if (snapshot != null) check = check.withSnapshot(snapshot);
      ParityReport r = check.run(common.env());
      common.push(RunFigures.parity(r));
      if (!r.passed()) common.notify(() -> RunFigures.parityFailed(r));
      System.out.println(json ? Json.line(r) : r.summary());
      return r.passed() ? 0 : 1;
    }
  }
}
