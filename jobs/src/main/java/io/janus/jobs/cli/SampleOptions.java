package io.janus.jobs.cli;

import java.time.LocalDate;
import picocli.CommandLine.Option;

/** Options shaping a generated sample clickstream ({@code generate}, {@code ingest --generate}). */
public final class SampleOptions {

  @Option(
      names = "--events",
      defaultValue = "1000000",
      description = "Number of lines (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--days",
      defaultValue = "3",
      description = "Days covered (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--start",
      defaultValue = "2024-01-01",
      description = "First day, UTC (default: ${DEFAULT-VALUE}).")
  LocalDate start;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--users",
      defaultValue = "20000",
      description = "Distinct users (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--products",
      defaultValue = "2000",
      description = "Distinct products (default: ${DEFAULT-VALUE}).")
  int products;

  @Option(
      names = "--malformed-rate",
      defaultValue = "0.001",
      description = "Share of malformed lines (default: ${DEFAULT-VALUE}).")
  double malformedRate;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description =
          "No event at or after TIME (ISO-8601, or now): e.g. today's events up to the clock.")
  String until;

  /** The settings these options give. */
  public SampleSettings settings() {
    java.time.Instant bound = null;
    if (until != null) {
      try {
        bound = until.equals("now") ? java.time.Instant.now() : java.time.Instant.parse(until);
      } catch (java.time.format.DateTimeParseException e) {
        throw new io.janus.jobs.Failures.CliException(
            "--until " + until + " is neither now nor an ISO-8601 instant");
      }
    }
    return new SampleSettings(events, days, start, seed, users, products, malformedRate, bound);
  }
}
