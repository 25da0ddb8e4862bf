package io.janus.jobs.cli;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.backfill.BackfillResult;
import io.janus.engine.flink.backfill.ParityGate;
import io.janus.engine.flink.source.IcebergEventSource;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus backfill}: Write-Audit-Publish backfill of a group over a range of days. */
@Command(
    name = "backfill",
    description =
        "Recompute a group over [start, end] into an audit branch, audit it, publish to main.")
public final class BackfillCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin RedisOptions redis;

  @Option(names = "--group", required = true, description = "Feature group.")
  String group;

  @Option(names = "--start", required = true, description = "First day (UTC, yyyy-mm-dd).")
  LocalDate start;

  @Option(names = "--end", required = true, description = "Last day, inclusive.")
  LocalDate end;

  @Option(names = "--no-publish", description = "Audit but keep the branch instead of publishing.")
  boolean noPublish;

  @Option(names = "--run-id", description = "Run id (default: a new UUID).")
  String runId;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Option(
      names = "--parity-gate",
      paramLabel = "RATE",
      description =
          "Before publishing, compare the audited branch with the online values (and the served-feature log, when there is one); refuse to publish (exit 1, main untouched, branch kept) when more than RATE (0..1) of them disagree.")
  Double parityGate;

  @Override
  public Integer call() throws Exception {
    if (parityGate != null && !(parityGate >= 0 && parityGate <= 1))
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--parity-gate must be within 0..1, got " + parityGate);
    if (parityGate == null) return run(null);
    try (RedisOptions.Server server = redis.open(common.config())) {
      return run(server);
    }
  }

  private int run(RedisOptions.Server server) throws Exception {
    FeatureGroup g = common.group(group);
    Backfill b =
        Backfill.of(common.warehouse(), g, new IcebergEventSource(common.warehouse(), g.source()))
            .withRange(start, end)
            .withWorkingDir(Path.of(""))
            .withReportDir(common.config().reports());
    if (runId != null) b = b.withRunId(runId);
    if (noPublish) b = b.auditOnly();
    if (server != null)
      b = b.withGate(ParityGate.of(common.warehouse(), g, server.stores(), parityGate));
    BackfillResult r = b.run(common.env());
    common.push(RunFigures.backfill(r));
    if (!r.report().passed()) common.notify(() -> RunFigures.auditRejected(r));
    print(r, json);
    boolean ok = r.published() || (noPublish && r.report().passed());
    return ok ? 0 : 1;
  }

  static void print(BackfillResult r, boolean json) {
    if (json) {
      System.out.println(Json.line(r));
      return;
    }
    System.out.printf(
        "backfill %s %s..%s run %s%n",
        r.report().group(), r.report().rangeStart(), r.report().rangeEnd(), r.runId());
    System.out.printf(
        "  rows written  %,d (%,d keys) to branch %s in %.1f s%n",
        r.rowsWritten(), r.report().keys(), r.branch(), r.computeMillis() / 1000.0);
    System.out.printf(
        "  audit         %s%s%n",
        r.report().passed() ? "PASSED" : "FAILED",
        r.report().warnings().isEmpty() ? "" : " (" + r.report().warnings().size() + " warnings)");
    r.report().failures().forEach(f -> System.out.println("    FAIL " + f.message()));
    r.report().warnings().forEach(f -> System.out.println("    WARN " + f.message()));
    System.out.printf("  result        %s%n", r.message());
    if (r.reportFile() != null) System.out.printf("  report        %s%n", r.reportFile());
  }
}
