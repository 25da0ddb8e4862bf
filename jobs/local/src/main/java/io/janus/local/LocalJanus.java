package io.janus.local;

import io.janus.jobs.JanusCli;
import io.janus.local.bench.BenchCommand;
import picocli.CommandLine;

/**
 * {@code bin/janus}: the {@code janus} command line with the local-only parts the {@code flink run}
 * jar does not carry: the embedded redis-server as default online store, the sample-event generator
 * ({@code janus generate}, {@code ingest --generate}, {@code --source generate:N}), {@code janus
 * demo}, {@code janus bench} and the feature server ({@code janus serve}).
 */
public final class LocalJanus {
  private LocalJanus() {}

  /** Runs a command and exits with its code. */
  public static void main(String[] args) {
    // Exit explicitly: client threads of Flink, Lettuce or Iceberg must not keep a finished command
    // alive.
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (for tests and embedding). */
  public static int run(String... args) {
    CommandLine cli = JanusCli.commandLine();
    cli.addSubcommand(new GenerateCommand());
    cli.addSubcommand(new DemoCommand());
    cli.addSubcommand(new BenchCommand());
    cli.addSubcommand(new ServeCommand());
    return cli.execute(args);
  }
}
