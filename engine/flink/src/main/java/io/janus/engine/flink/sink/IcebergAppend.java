package io.janus.engine.flink.sink;

import java.util.Map;
import java.util.Objects;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.IcebergSink;

/**
 * The one way Janus appends rows to an Iceberg table: Iceberg's Sink V2 ({@link IcebergSink}) for
 * the backfill's audit branch, the raw table, the cold path and dead letters alike. {@code
 * FlinkSink} (v1) is not used: on Flink 2 with a bounded source its committer sometimes dropped the
 * data files of writers that finished late ({@code IcebergAppendITCase} checks that no file is
 * lost).
 *
 * <p>Immutable; each {@code with…} returns a copy, then {@link #append} adds the sink to the graph.
 */
public final class IcebergAppend {
  private final TableLoader table;
  private final String branch;
  private final Map<String, String> snapshotProperties;
  private final String uid;
  private final int parallelism;
  private final DistributionMode distribution;

  private IcebergAppend(
      TableLoader table,
      String branch,
      Map<String, String> snapshotProperties,
      String uid,
      int parallelism,
      DistributionMode distribution) {
    this.table = Objects.requireNonNull(table, "table");
    this.branch = Objects.requireNonNull(branch, "branch");
    this.snapshotProperties = Map.copyOf(snapshotProperties);
    this.uid = Objects.requireNonNull(uid, "uid");
    this.parallelism = parallelism;
    this.distribution = distribution;
  }

  /**
   * Appends to {@code table}'s main branch, one writer per upstream subtask, no shuffle.
   *
   * @param table the table to append to
   * @param uid the sink's stable operator uid (unique within the job; a new one per run for batch
   *     jobs)
   * @return the append, to configure further
   */
  public static IcebergAppend to(TableLoader table, String uid) {
    return new IcebergAppend(
        table, SnapshotRef.MAIN_BRANCH, Map.of(), uid, -1, DistributionMode.NONE);
  }

  /** Commits to {@code branchName} instead of main (Write-Audit-Publish). */
  public IcebergAppend withBranch(String branchName) {
    return new IcebergAppend(table, branchName, snapshotProperties, uid, parallelism, distribution);
  }

  /** Puts {@code properties} (lineage) into the summary of every snapshot the sink commits. */
  public IcebergAppend withSnapshotProperties(Map<String, String> properties) {
    return new IcebergAppend(table, branch, properties, uid, parallelism, distribution);
  }

  /** Runs {@code n} writers (e.g. 1 for a small side table such as dead letters). */
  public IcebergAppend withParallelism(int n) {
    if (n < 1) throw new IllegalArgumentException("parallelism must be at least 1, got " + n);
    return new IcebergAppend(table, branch, snapshotProperties, uid, n, distribution);
  }

  /**
   * Adds the sink for {@code rows} to their job graph.
   *
   * <p>Rows are not redistributed ({@code DistributionMode.NONE}): hashing by partition keys every
   * row by its partition path string, which cost more than the write itself in the backfill bench.
   *
   * @param rows rows in the table's schema
   * @param name the operator name shown in the Flink dashboard
   * @return the sink, for further naming or slot sharing
   */
  public DataStreamSink<RowData> append(DataStream<RowData> rows, String name) {
    IcebergSink.Builder b =
        IcebergSink.forRowData(rows)
            .tableLoader(table)
            .toBranch(branch)
            .overwrite(false)
            .snapshotProperties(snapshotProperties)
            .distributionMode(distribution)
            .uidSuffix(uid);
    if (parallelism > 0) b = b.writeParallelism(parallelism);
    return b.append().name(name);
  }
}
