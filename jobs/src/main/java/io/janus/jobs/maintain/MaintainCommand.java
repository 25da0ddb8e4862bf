package io.janus.jobs.maintain;

import io.janus.engine.core.definition.Durations;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.audit.AuditLog;
import io.janus.engine.iceberg.lineage.Lineage;
import io.janus.jobs.Failures.CliException;
import io.janus.jobs.cli.CommonOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code janus maintain compact|expire|orphans|all}: Iceberg maintenance with Spark actions, in a
 * JVM of its own ({@link MaintenanceLauncher}). Resolves groups and the catalog from the Janus
 * configuration, writes lineage into the snapshots it commits, and prints the child's report.
 */
@Command(
    name = "maintain",
    description = {
      "Compact, expire snapshots, remove orphan files (Iceberg's Spark actions, in a JVM of their own).",
      "all runs the three in that order. Snapshots of branches and tags (audit branches, model tags) are never expired."
    })
public final class MaintainCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ACTION", description = "compact, expire, orphans or all.")
  String action;

  @Option(
      names = "--group",
      paramLabel = "G",
      description = "Feature group whose table to maintain (repeatable).")
  List<String> groups = new ArrayList<>();

  @Option(
      names = "--table",
      paramLabel = "NS.NAME",
      description = "Table to maintain, e.g. raw.clickstream, janus.audit_log (repeatable).")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--all-tables",
      description =
          "Every table Janus owns that exists: feature tables, raw event tables, audit log, dead letters.")
  boolean allTables;

  @Option(
      names = "--target-file-size",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "Target size of compacted files, e.g. 128MB (default: the table's write.target-file-size-bytes, 512MB).")
  Long targetFileSize;

  @Option(
      names = "--min-input-files",
      paramLabel = "N",
      description = "Fewest small files in a partition worth rewriting (default 5).")
  Integer minInputFiles;

  @Option(
      names = "--sort",
      description =
          "Sort compacted feature rows by the group's entity keys and valid_from (per-key reads then skip files).")
  boolean sort;

  @Option(
      names = "--partial-progress",
      description =
          "Commit a compaction file group by file group, keeping finished groups if one fails"
              + " (default: one commit; worth it on big tables with a REST or JDBC catalog, on a Hadoop catalog the group commits contend for its lock).")
  boolean partialProgress;

  @Option(
      names = "--expire-older-than",
      paramLabel = "DUR",
      converter = DurationConverter.class,
      description = "Expire snapshots older than this (default 7d).")
  Duration expireOlderThan = Duration.ofDays(7);

  @Option(
      names = "--retain-last",
      paramLabel = "N",
      description = "Snapshots every branch keeps however old (default 1).")
  int retainLast = 1;

  @Option(
      names = "--orphans-older-than",
      paramLabel = "DUR",
      converter = DurationConverter.class,
      description =
          "Remove unreferenced files older than this (default 3d; younger files may belong to a commit in flight).")
  Duration orphansOlderThan = Duration.ofDays(3);

  @Option(
      names = "--spark-master",
      paramLabel = "URL",
      description = "Spark master URL (default local[*]).")
  String sparkMaster;

  @Option(
      names = "--heap",
      paramLabel = "SIZE",
      description = "Heap of the maintenance JVM (default 1g).")
  String heap = "1g";

  @Option(names = "--dry-run", description = "Show what would be done; change nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the report as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!List.of("compact", "expire", "orphans", "all").contains(action)) {
      throw new ParameterException(
          spec.commandLine(),
          "unknown action '" + action + "' (expected compact, expire, orphans or all)");
    }
    if (groups.isEmpty() && tables.isEmpty() && !allTables) {
      throw new ParameterException(
          spec.commandLine(), "name what to maintain: --group G, --table NS.NAME or --all-tables");
    }
    if (allTables && !(groups.isEmpty() && tables.isEmpty())) {
      throw new ParameterException(
          spec.commandLine(), "--all-tables already includes every table; drop --group/--table");
    }
    if (retainLast < 1)
      throw new ParameterException(
          spec.commandLine(), "--retain-last must be at least 1, got " + retainLast);
    if (minInputFiles != null && minInputFiles < 1) {
      throw new ParameterException(
          spec.commandLine(), "--min-input-files must be at least 1, got " + minInputFiles);
    }
    if (!heap.matches("\\d+[kmgKMG]?"))
      throw new ParameterException(
          spec.commandLine(), "--heap must look like 512m or 2g, got '" + heap + "'");

    if ((action.equals("orphans") || action.equals("all"))
        && !dryRun
        && orphansOlderThan.compareTo(Duration.ofDays(1)) < 0) {
      System.err.println(
          "warning: --orphans-older-than "
              + Durations.format(orphansOlderThan)
              + " is under a day: the files of a Flink commit in flight look orphaned and may be deleted; use it only while no writer runs");
    }
    Map<String, List<String>> targets = targets(common.warehouse());
    String runId = UUID.randomUUID().toString();
    List<String> args = new ArrayList<>();
    args.add(action);
    // Catalog properties may hold credentials: a file only this user can read, not the command
    // line.
    Path tmp = common.config().tmp().resolve("maintenance");
    Files.createDirectories(tmp);
    Path catalogFile =
        Files.createTempFile(
            tmp,
            "catalog-",
            ".properties",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Properties catalog = new Properties();
    catalog.putAll(common.config().catalogProperties());
    try (var out = Files.newOutputStream(catalogFile)) {
      catalog.store(out, "Iceberg catalog of janus maintain run " + runId);
    }
    args.add("--catalog-file=" + catalogFile);
    targets.forEach(
        (table, sortBy) -> {
          args.add("--table=" + table);
          if (!sortBy.isEmpty()) args.add("--sort-by=" + table + "=" + String.join(",", sortBy));
        });
    if (targetFileSize != null) args.add("--target-file-size=" + targetFileSize);
    if (minInputFiles != null) args.add("--min-input-files=" + minInputFiles);
    if (partialProgress) args.add("--partial-progress");
    args.add("--expire-older-than=" + expireOlderThan);
    args.add("--retain-last=" + retainLast);
    args.add("--orphans-older-than=" + orphansOlderThan);
    Lineage.capture(runId, "maintenance", null, null, Path.of(""))
        .properties()
        .forEach((k, v) -> args.add("--snapshot-property=" + k + "=" + v));
    if (sparkMaster != null) args.add("--master=" + sparkMaster);
    common.config().spark().forEach((k, v) -> args.add("--spark-conf=" + k + "=" + v));
    if (dryRun) args.add("--dry-run");
    if (json) args.add("--json");
    try {
      return MaintenanceLauncher.locate(System.getenv()).run(heap, tmp, args);
    } finally {
      Files.deleteIfExists(catalogFile);
    }
  }

  /** The tables to maintain, each with the columns to sort its compacted rows by (may be empty). */
  private Map<String, List<String>> targets(Warehouse warehouse) {
    Map<String, List<String>> t = new LinkedHashMap<>();
    List<FeatureGroup> featureGroups = new ArrayList<>();
    if (allTables) {
      featureGroups.addAll(common.definitions().groups().values());
    } else {
      groups.forEach(g -> featureGroups.add(common.group(g)));
    }
    for (FeatureGroup g : featureGroups) {
      TableIdentifier id = FeatureTables.id(g);
      if (!warehouse.exists(id)) {
        if (allTables) continue;
        throw new CliException(
            "group "
                + g.name()
                + " has no feature table yet ("
                + id
                + "); run a backfill or a stream first");
      }
      List<String> sortBy = new ArrayList<>();
      if (sort) {
        sortBy.addAll(g.entity());
        sortBy.add(FeatureTables.VALID_FROM);
      }
      t.put(id.toString(), sortBy);
    }
    List<TableIdentifier> others = new ArrayList<>();
    if (allTables) {
      for (SourceDefinition s : common.definitions().sources().values())
        others.add(RawEvents.id(s));
      others.add(AuditLog.ID);
      others.add(DeadLetters.ID);
    } else {
      tables.forEach(name -> others.add(TableIdentifier.parse(name)));
    }
    for (TableIdentifier id : others) {
      if (warehouse.exists(id)) {
        t.putIfAbsent(id.toString(), List.of());
      } else if (!allTables) {
        throw new CliException("table " + id + " does not exist in the catalog");
      }
    }
    if (t.isEmpty()) {
      throw new CliException("no Janus table exists yet in the catalog");
    }
    return t;
  }

  /** Compact durations (7d, 12h) as in definitions. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Byte sizes (128MB, 1g). */
  static final class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return Sizes.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
