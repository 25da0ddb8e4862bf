package io.janus.maintenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.BinPackRewriteFilePlanner;
import org.apache.iceberg.actions.FileRewritePlan;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.actions.RewriteFileGroup;
import org.apache.iceberg.actions.SizeBasedFileRewritePlanner;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;

/**
 * Compaction of a table's small data files on main with Iceberg's {@code rewriteDataFiles} action:
 * bin-packing, or a sort by given columns (e.g. the entity keys, so per-key reads prune files by
 * their column bounds). Immutable; {@link #execute()} runs it. A dry run plans with the same
 * planner the action uses and commits nothing.
 */
public final class Compaction {
  private final SparkSession spark;
  private final Table table;
  private final Map<String, String> plannerOptions;
  private final boolean partialProgress;
  private final List<String> sortBy;
  private final Map<String, String> snapshotProperties;
  private final boolean dryRun;

  private Compaction(
      SparkSession spark,
      Table table,
      Map<String, String> plannerOptions,
      boolean partialProgress,
      List<String> sortBy,
      Map<String, String> snapshotProperties,
      boolean dryRun) {
    this.spark = spark;
    this.table = table;
    this.plannerOptions = Map.copyOf(plannerOptions);
    this.partialProgress = partialProgress;
    this.sortBy = List.copyOf(sortBy);
    this.snapshotProperties = Map.copyOf(snapshotProperties);
    this.dryRun = dryRun;
  }

  /**
   * Bin-packs with Iceberg's defaults (the table's target file size, at least 5 input files a
   * group), one commit.
   */
  public static Compaction of(SparkSession spark, Table table) {
    return new Compaction(spark, table, Map.of(), false, List.of(), Map.of(), false);
  }

  /**
   * Target size of the files written (default: the table's {@code write.target-file-size-bytes}).
   */
  public Compaction targetFileSize(long bytes) {
    if (bytes <= 0)
      throw new IllegalArgumentException("target file size must be positive, got " + bytes);
    return withOption(SizeBasedFileRewritePlanner.TARGET_FILE_SIZE_BYTES, Long.toString(bytes));
  }

  /** Fewest small files in a partition worth a rewrite (Iceberg's default: 5). */
  public Compaction minInputFiles(int files) {
    if (files < 1)
      throw new IllegalArgumentException("min input files must be at least 1, got " + files);
    return withOption(SizeBasedFileRewritePlanner.MIN_INPUT_FILES, Integer.toString(files));
  }

  /**
   * Commits file groups as they finish, so a failure keeps what was done (default off, as in
   * Iceberg: on a Hadoop catalog the concurrent group commits only contend for the table's lock).
   */
  public Compaction partialProgress(boolean on) {
    return new Compaction(spark, table, plannerOptions, on, sortBy, snapshotProperties, dryRun);
  }

  /** Sorts the rewritten rows by these columns (empty: bin-pack only). */
  public Compaction sortBy(List<String> columns) {
    for (String c : columns) {
      if (table.schema().findField(c) == null) {
        throw new IllegalArgumentException(
            "table " + table.name() + " has no column '" + c + "' to sort by");
      }
    }
    return new Compaction(
        spark, table, plannerOptions, partialProgress, columns, snapshotProperties, dryRun);
  }

  /** Summary properties of the snapshots the rewrite commits (lineage). */
  public Compaction snapshotProperties(Map<String, String> properties) {
    return new Compaction(
        spark, table, plannerOptions, partialProgress, sortBy, properties, dryRun);
  }

  /** Plans only: reports what would be rewritten and commits nothing. */
  public Compaction dryRun(boolean on) {
    return new Compaction(
        spark, table, plannerOptions, partialProgress, sortBy, snapshotProperties, on);
  }

  private Compaction withOption(String key, String value) {
    Map<String, String> o = new HashMap<>(plannerOptions);
    o.put(key, value);
    return new Compaction(spark, table, o, partialProgress, sortBy, snapshotProperties, dryRun);
  }

  /** Runs the compaction (or its plan, in a dry run). */
  public CompactionResult execute() {
    long t0 = System.currentTimeMillis();
    TableFacts before = TableFacts.of(table);
    if (table.currentSnapshot() == null) {
      return new CompactionResult(
          before, before, 0, 0, 0, 0, 0, sortBy, System.currentTimeMillis() - t0);
    }
    if (dryRun) {
      return plan(before, t0);
    }
    RewriteDataFiles action =
        SparkActions.get(spark)
            .rewriteDataFiles(table)
            .options(plannerOptions)
            .option(RewriteDataFiles.PARTIAL_PROGRESS_ENABLED, Boolean.toString(partialProgress));
    if (!sortBy.isEmpty()) {
      SortOrder.Builder order = SortOrder.builderFor(table.schema());
      sortBy.forEach(order::asc);
      action = action.sort(order.build());
    }
    for (Map.Entry<String, String> p : snapshotProperties.entrySet()) {
      action = action.snapshotProperty(p.getKey(), p.getValue());
    }
    RewriteDataFiles.Result r = action.execute();
    TableFacts after = TableFacts.of(table);
    return new CompactionResult(
        before,
        after,
        r.rewriteResults().size(),
        r.rewrittenDataFilesCount(),
        r.rewrittenBytesCount(),
        r.addedDataFilesCount(),
        r.rewriteFailures().size(),
        sortBy,
        System.currentTimeMillis() - t0);
  }

  private CompactionResult plan(TableFacts before, long t0) {
    BinPackRewriteFilePlanner planner = new BinPackRewriteFilePlanner(table);
    planner.init(new LinkedHashMap<>(plannerOptions));
    FileRewritePlan<RewriteDataFiles.FileGroupInfo, ?, ?, RewriteFileGroup> plan = planner.plan();
    int groups = 0;
    long files = 0;
    long bytes = 0;
    long expectedOut = 0;
    try (CloseableIterable<RewriteFileGroup> all = plan.groups()) {
      for (RewriteFileGroup g : all) {
        groups++;
        files += g.inputFileNum();
        bytes += g.inputFilesSizeInBytes();
        expectedOut += g.expectedOutputFiles();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CompactionResult(
        before,
        before,
        groups,
        files,
        bytes,
        expectedOut,
        0,
        sortBy,
        System.currentTimeMillis() - t0);
  }
}
