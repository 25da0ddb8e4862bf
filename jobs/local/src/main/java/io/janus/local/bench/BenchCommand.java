package io.janus.local.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code janus bench …}: benchmarks that print figures and ratios. */
@Command(
    name = "bench",
    description = "Benchmarks that print figures and ratios.",
    subcommands = {
      BackfillBench.class,
      StreamBench.class,
      ReconcileBench.Sync.class,
      ReconcileBench.Parity.class,
      ReconcileBench.Memory.class,
      ClusterWritesBench.class,
      MaintenanceBench.class,
      TrainingSetBench.class,
      PredictBench.class,
      ServeBench.class
    })
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing benchmark (try: janus bench backfill --events 1000000)");
  }
}
