package io.janus.local;

import io.janus.features.generate.ClickstreamGenerator;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import io.janus.jobs.cli.SampleOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus generate}: deterministic sample clickstream as JSON lines. */
@Command(name = "generate", description = "Write a deterministic sample clickstream (JSON lines).")
public final class GenerateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin SampleOptions gen;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
  Path out;

  @Option(names = "--json", description = "Print the summary as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ClickstreamGenerator g = ClickstreamSamples.generator(gen.settings());
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    long t0 = System.nanoTime();
    long n = g.writeTo(out);
    double s = (System.nanoTime() - t0) / 1e9;
    if (json) {
      System.out.println(
          Json.line(
              new Generated(out.toAbsolutePath().toString(), n, g.seed(), g.start(), g.days(), s)));
    } else {
      System.out.printf(
          "wrote %,d events to %s in %.1f s (seed %d, %d days from %s)%n",
          n, out, s, g.seed(), g.days(), g.start());
    }
    return 0;
  }

  /**
   * What {@code janus generate --json} prints.
   *
   * @param file the file written, absolute
   * @param lines events written
   * @param seed the generator's seed
   * @param start the first day
   * @param days days covered
   * @param seconds wall time
   */
  record Generated(String file, long lines, long seed, LocalDate start, int days, double seconds) {}
}
