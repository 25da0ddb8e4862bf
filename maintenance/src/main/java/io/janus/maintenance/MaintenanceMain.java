package io.janus.maintenance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Entry point of the maintenance JVM. {@code janus maintain} resolves groups to tables and the
 * catalog from the Janus configuration and starts this class with Spark's JDK flags and a capped
 * heap; it can also be run directly (durations in ISO-8601, e.g. {@code P7D}, {@code PT12H}).
 * Prints one report (text or {@code --json}) on stdout; logs go to stderr. Exit code 0, 1 on
 * failure (one line on stderr), 2 on bad arguments.
 */
@Command(
    name = "janus-maintenance",
    mixinStandardHelpOptions = true,
    description =
        "Iceberg table maintenance with Spark actions: compact, expire, orphans, or all (in that order).")
public final class MaintenanceMain implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(
      index = "0",
      paramLabel = "ACTION",
      description = "compact, expire, orphans or all.",
      converter = ActionConverter.class)
  Maintenance.Action action;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "NS.NAME",
      description = "Table to maintain (repeatable).")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--catalog",
      paramLabel = "KEY=VALUE",
      description = "Iceberg catalog property (repeatable); default: type=hadoop.")
  Map<String, String> catalog = new LinkedHashMap<>();

  @Option(
      names = "--catalog-file",
      paramLabel = "FILE",
      description = "Iceberg catalog properties (Java properties file; --catalog entries win).")
  java.nio.file.Path catalogFile;

  @Option(
      names = "--sort-by",
      paramLabel = "TABLE=COL[,COL...]",
      description = "Sort a table's compacted rows by these columns.")
  Map<String, String> sortBy = new LinkedHashMap<>();

  @Option(
      names = "--target-file-size",
      paramLabel = "BYTES",
      description = "Target data file size (default: the table's write.target-file-size-bytes).")
  Long targetFileSize;

  @Option(
      names = "--min-input-files",
      paramLabel = "N",
      description = "Fewest small files in a partition worth rewriting (default 5).")
  Integer minInputFiles;

  @Option(
      names = "--partial-progress",
      description = "Commit a compaction group by group as groups finish (default: one commit).")
  boolean partialProgress;

  @Option(
      names = "--expire-older-than",
      paramLabel = "ISO-DURATION",
      description = "Expire snapshots older than this (default P7D).")
  Duration expireOlderThan = Duration.ofDays(7);

  @Option(
      names = "--retain-last",
      paramLabel = "N",
      description = "Snapshots every branch keeps however old (default 1).")
  int retainLast = 1;

  @Option(
      names = "--orphans-older-than",
      paramLabel = "ISO-DURATION",
      description = "Remove orphan files older than this (default P3D).")
  Duration orphansOlderThan = Duration.ofDays(3);

  @Option(
      names = "--snapshot-property",
      paramLabel = "KEY=VALUE",
      description = "Summary property of the snapshots maintenance commits (lineage).")
  Map<String, String> snapshotProperties = new LinkedHashMap<>();

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default local[*]).")
  String master;

  @Option(
      names = "--spark-conf",
      paramLabel = "KEY=VALUE",
      description = "Spark configuration (repeatable).")
  Map<String, String> sparkConf = new LinkedHashMap<>();

  @Option(names = "--dry-run", description = "Report what would be done; change nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the report as one JSON object.")
  boolean json;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs and returns the exit code. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new MaintenanceMain());
    cli.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          cmd.getErr().println("janus maintain: " + oneLine(ex));
          return 1;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    if (retainLast < 1)
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--retain-last must be at least 1, got " + retainLast);
    Map<String, String> props = new LinkedHashMap<>(snapshotProperties);
    props.putIfAbsent("janus.run-id", UUID.randomUUID().toString());
    props.putIfAbsent("janus.job", "maintenance");
    Map<String, String> catalogProperties = new LinkedHashMap<>();
    if (catalogFile != null) {
      java.util.Properties p = new java.util.Properties();
      try (var in = java.nio.file.Files.newInputStream(catalogFile)) {
        p.load(in);
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("catalog file " + catalogFile + ": " + e.getMessage());
      }
      p.stringPropertyNames().forEach(k -> catalogProperties.put(k, p.getProperty(k)));
    }
    catalogProperties.putAll(catalog);
    Maintenance.Options options =
        new Maintenance.Options(
            targetFileSize,
            minInputFiles,
            partialProgress,
            expireOlderThan,
            retainLast,
            orphansOlderThan,
            props,
            dryRun);
    long t0 = System.currentTimeMillis();
    List<TableReport> reports = new ArrayList<>();
    try (Maintenance m = Maintenance.start(master, sparkConf, catalogProperties)) {
      for (String t : tables) {
        m.preflight(
            action, t,
            options); // a missing table or a ref expiry would drop fails before any work starts
      }
      for (String t : tables) {
        String cols = sortBy.get(t);
        reports.add(m.run(action, t, cols == null ? List.of() : List.of(cols.split(",")), options));
      }
    }
    if (json) {
      System.out.println(
          JSON.writeValueAsString(
              new Report(
                  action.name().toLowerCase(),
                  dryRun,
                  props.get("janus.run-id"),
                  reports,
                  System.currentTimeMillis() - t0)));
    } else {
      System.out.println(
          "janus maintain "
              + action.name().toLowerCase()
              + (dryRun ? " (dry run: nothing changed)" : "")
              + ", run "
              + props.get("janus.run-id"));
      reports.forEach(r -> System.out.println(r.summary(dryRun)));
    }
    List<String> failed =
        reports.stream().filter(TableReport::failed).map(TableReport::table).toList();
    if (!failed.isEmpty()) {
      System.err.println(
          "janus maintain: compaction groups failed to commit on " + String.join(", ", failed));
      return 1;
    }
    return 0;
  }

  static String oneLine(Throwable ex) {
    Throwable t = ex;
    while (t.getCause() != null
        && t.getCause() != t
        && !(t instanceof IllegalArgumentException)
        && !(t instanceof IllegalStateException)) {
      t = t.getCause();
    }
    String msg =
        t.getMessage() == null || t.getMessage().isBlank()
            ? t.getClass().getSimpleName()
            : t.getMessage();
    return msg.replaceAll("\\s*\\n\\s*", " ");
  }

  /** Case-insensitive action names. */
  static final class ActionConverter implements CommandLine.ITypeConverter<Maintenance.Action> {
    @Override
    public Maintenance.Action convert(String value) {
      try {
        return Maintenance.Action.valueOf(value.toUpperCase());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "unknown action '" + value + "' (expected compact, expire, orphans or all)");
      }
    }
  }

  /**
   * What {@code janus maintain --json} prints.
   *
   * @param action the action that ran
   * @param dryRun whether nothing was changed
   * @param runId the run id recorded in the snapshots it committed
   * @param tables one report per table
   * @param millis wall time
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Report(
      String action, boolean dryRun, String runId, List<TableReport> tables, long millis) {}
}
