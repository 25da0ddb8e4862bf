package io.janus.jobs;

import io.janus.engine.iceberg.lineage.Lineage;
import io.janus.jobs.cli.BackfillCommand;
import io.janus.jobs.cli.ConsistencyCommand;
import io.janus.jobs.cli.IngestCommand;
import io.janus.jobs.cli.OnlineCommand;
import io.janus.jobs.cli.ParityCommand;
import io.janus.jobs.cli.PredictCommand;
import io.janus.jobs.cli.PublishCommand;
import io.janus.jobs.cli.ReadCommand;
import io.janus.jobs.cli.RegistryCommand;
import io.janus.jobs.cli.SnapshotsCommand;
import io.janus.jobs.cli.SqlCommand;
import io.janus.jobs.cli.StreamCommand;
import io.janus.jobs.cli.SyncCommand;
import io.janus.jobs.cli.TrainCommand;
import io.janus.jobs.cli.TrainingSetCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code janus} command line. Every subcommand is a Flink job (or a client-side read) and runs
 * the same locally (embedded MiniCluster) and under {@code flink run janus-jobs.jar <subcommand>
 * …}. Exit code 0 on success; 1 with a one-line reason on failure; 2 for bad arguments.
 */
@Command(
    name = "janus",
    mixinStandardHelpOptions = true,
    // --help and --version on every subcommand too.
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = JanusCli.Version.class,
    description =
        "One feature definition, one Flink pipeline: batch backfills into Iceberg, streaming into Redis.",
    subcommands = {
      IngestCommand.class,
      BackfillCommand.class,
      PublishCommand.class,
      ReadCommand.class,
      SnapshotsCommand.class,
      StreamCommand.class,
      OnlineCommand.class,
      SyncCommand.class,
      ParityCommand.class,
      ConsistencyCommand.class,
      TrainingSetCommand.class,
      TrainCommand.class,
      RegistryCommand.class,
      PredictCommand.class,
      SqlCommand.class,
      io.janus.jobs.maintain.MaintainCommand.class,
      CommandLine.HelpCommand.class
    })
public final class JanusCli implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(JanusCli.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command (try janus --help)");
  }

  public static void main(String[] args) {
    // Exit explicitly: client threads of Flink, Lettuce or Iceberg must not keep a finished command
    // alive.
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (for tests and embedding). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /**
   * The command line with every subcommand of the {@code flink run} jar and its error handling (one
   * line on stderr, exit 1); launchers add their own subcommands before executing it.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new JanusCli());
    cli.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          LOG.debug("{} failed", cmd.getCommandName(), ex);
          cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + Failures.oneLine(ex));
          return 1;
        });
    return cli;
  }

  /** Prints the engine version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"janus " + Lineage.currentEngineVersion()};
    }
  }
}
