package io.janus.jobs.cli;

import io.janus.engine.flink.served.ConsistencyCheck;
import io.janus.engine.flink.served.ConsistencyReport;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code janus consistency}: the served-feature log against the offline table, point in time; exit
 * code 1 above the mismatch threshold.
 */
@Command(
    name = "consistency",
    description =
        "Join what the feature server served (janus.served_features) point-in-time against the offline table: per-feature mismatch, stale and missing rates, and the share of served values (and predictions) that saw different numbers than training would; exit 1 when the mismatch rate exceeds the maximum.")
public final class ConsistencyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--group", required = true, description = "Feature group.")
  String group;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "Only values served at or after this time (ISO-8601, e.g. 2026-12-01T00:00:00Z, or a duration back from now such as 1h; default: the whole log).")
  String since;

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
          "Largest share of served values that may differ from the same offline row, 0..1 (default: ${DEFAULT-VALUE}).")
  double maxMismatchRate;

  @Option(
      names = "--examples",
      paramLabel = "K",
      defaultValue = "10",
      description = "How many of the worst served values to list (default: ${DEFAULT-VALUE}).")
  int examples;

  @Option(names = "--json", description = "Print the report as one JSON object.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (examples < 0)
      throw new ParameterException(
          spec.commandLine(), "--examples must not be negative, got " + examples);
    if (!(maxMismatchRate >= 0 && maxMismatchRate <= 1))
      throw new ParameterException(
          spec.commandLine(), "--max-mismatch-rate must be within 0..1, got " + maxMismatchRate);
    ConsistencyCheck check =
        ConsistencyCheck.of(common.warehouse(), common.group(group))
            .withMaxMismatchRate(maxMismatchRate)
            .withExamples(examples);
    if (since != null) check = check.withSince(parseSince(since));
    if (snapshot != null) check = check.withSnapshot(snapshot);
    ConsistencyReport r = check.run(common.env());
    common.push(RunFigures.consistency(r));
    System.out.println(json ? Json.line(r) : r.summary());
    return r.passed() ? 0 : 1;
  }

  private Instant parseSince(String s) {
    try {
      return Instant.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      try {
        return Instant.now().minus(io.janus.engine.core.definition.Durations.parse(s));
      } catch (RuntimeException notADuration) {
        throw new ParameterException(
            spec.commandLine(),
            "--since: '" + s + "' is neither an ISO-8601 instant nor a duration such as 1h");
      }
    }
  }
}
