package io.janus.jobs;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.ToIntFunction;

/**
 * Runs a command line in-process and captures what it prints.
 *
 * @param code the exit code
 * @param out what went to stdout
 * @param err what went to stderr
 */
public record CliRun(int code, String out, String err) {
  /** Runs the {@code flink run} jar's command line. */
  public static CliRun of(String... args) {
    return with(JanusCli::run, args);
  }

  /** Runs {@code cli} (a launcher's {@code run} method) with {@code args}. */
  public static synchronized CliRun with(ToIntFunction<String[]> cli, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = cli.applyAsInt(args);
      return new CliRun(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
