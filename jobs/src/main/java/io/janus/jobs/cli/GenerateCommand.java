package io.janus.jobs.cli;

import io.janus.features.generate.ClickstreamGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus generate}: deterministic sample clickstream as JSON lines. */
@Command(name = "generate", description = "Write a deterministic sample clickstream (JSON lines).")
public final class GenerateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin GeneratorOptions gen;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
  Path out;

  @Option(names = "--json", description = "Print the summary as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ClickstreamGenerator g = gen.generator();
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    long t0 = System.nanoTime();
    long n = g.writeTo(out);
    double s = (System.nanoTime() - t0) / 1e9;
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", out.toAbsolutePath().toString());
      m.put("lines", n);
      m.put("seed", g.seed());
      m.put("start", g.start());
      m.put("days", g.days());
      m.put("seconds", s);
      System.out.println(Json.line(m));
    } else {
      System.out.printf(
          "wrote %,d events to %s in %.1f s (seed %d, %d days from %s)%n",
          n, out, s, g.seed(), g.days(), g.start());
    }
    return 0;
  }

  /** Options shaping the generated clickstream. */
  public static final class GeneratorOptions {
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

    public ClickstreamGenerator generator() {
      return ClickstreamGenerator.builder()
          .events(events)
          .days(days)
          .start(start)
          .seed(seed)
          .users(users)
          .products(products)
          .malformedRate(malformedRate)
          .build();
    }
  }
}
