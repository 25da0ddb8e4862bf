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

  /** The settings these options give. */
  public SampleSettings settings() {
    return new SampleSettings(events, days, start, seed, users, products, malformedRate);
  }
}
