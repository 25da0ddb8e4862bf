package io.janus.engine.flink.training;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.sink.IcebergAppend;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.lineage.Lineage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A point-in-time training set as a Flink BATCH job: the {@link PointInTimeJoin} of a spine with
 * the features of its groups, written to the Iceberg table {@code training.<name>}, whose snapshot
 * summary records the spine, each group's table, snapshot, fingerprint and columns, and lineage.
 */
public final class TrainingSet {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingSet.class);

  /** The namespace of training-set tables. */
  public static final String NAMESPACE = "training";

  /** Summary properties of a training set's snapshot (plus the run's lineage). */
  public static final String SPINE = "janus.training.spine";

  /** Comma-separated groups, in order. */
  public static final String GROUPS = "janus.training.groups";

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

  private final Warehouse warehouse;
  private final PointInTimeJoin join;
  private final String name;
  private final boolean replace;
  private final String runId;
  private final Path workingDir;

  private TrainingSet(
      Warehouse warehouse,
      PointInTimeJoin join,
      String name,
      boolean replace,
      String runId,
      Path workingDir) {
    this.warehouse = warehouse;
    this.join = join;
    this.name = name;
    this.replace = replace;
    this.runId = runId;
    this.workingDir = workingDir;
  }

  /**
   * A training set {@code name} of {@code spine} with the features of {@code groups}, read from
   * their tables' current snapshots; an existing training set of that name is not replaced.
   */
  public static TrainingSet of(
      Warehouse warehouse, Spine spine, List<FeatureGroup> groups, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "training set name '" + name + "' must be a letter then letters, digits or _");
    }
    return new TrainingSet(
        warehouse,
        PointInTimeJoin.of(warehouse, spine, groups),
        name,
        false,
        UUID.randomUUID().toString(),
        Path.of(""));
  }

  /** Spine column to entity key field, for spines that name a key differently from a group. */
  public TrainingSet withKeyMap(Map<String, String> spineColumnToEntity) {
    return new TrainingSet(
        warehouse, join.withKeyMap(spineColumnToEntity), name, replace, runId, workingDir);
  }

  /** Reads {@code group}'s feature table at {@code snapshotId} instead of its current snapshot. */
  public TrainingSet withSnapshot(String group, long snapshotId) {
    return new TrainingSet(
        warehouse, join.withSnapshot(group, snapshotId), name, replace, runId, workingDir);
  }

  /** The same run, replacing a training set of the same name (its table is dropped first). */
  public TrainingSet replacing() {
    return new TrainingSet(warehouse, join, name, true, runId, workingDir);
  }

  /** The run id recorded in lineage (default a new UUID). */
  public TrainingSet withRunId(String id) {
    return new TrainingSet(warehouse, join, name, replace, id, workingDir);
  }

  /** Directory where git facts are looked up (the repository around it). */
  public TrainingSet withWorkingDir(Path dir) {
    return new TrainingSet(warehouse, join, name, replace, runId, dir);
  }

  /** The training set's table. */
  public static TableIdentifier id(String name) {
    return Warehouse.id(NAMESPACE, name);
  }

  /**
   * The table of training set {@code name}, checked to be one (its current snapshot records its
   * inputs).
   *
   * @param warehouse the warehouse
   * @param name the training set's name
   * @return its table
   * @throws IllegalArgumentException when there is no such training set
   */
  public static Table load(Warehouse warehouse, String name) {
    TableIdentifier id = id(name);
    if (!warehouse.exists(id)) {
      throw new IllegalArgumentException(
          "training set '" + name + "' does not exist (no table " + id + ")");
    }
    Table t = warehouse.load(id);
    Snapshot s = t.currentSnapshot();
    if (s == null || !s.summary().containsKey(GROUPS)) {
      throw new IllegalArgumentException(
          "table " + id + " is not a training set built by janus training-set");
    }
    return t;
  }

  /** Checks the inputs, runs the job on {@code env} (switched to BATCH) and commits the table. */
  public TrainingSetResult run(StreamExecutionEnvironment env) throws Exception {
    long t0 = System.currentTimeMillis();
    TableIdentifier out = id(name);
    PointInTimeJoin.Plan plan = join.plan();
    if (warehouse.exists(out) && !replace) {
      throw new IllegalStateException(
          "training set "
              + name
              + " exists (table "
              + out
              + "); choose another --name or pass --replace");
    }
    Map<String, String> props =
        new LinkedHashMap<>(
            Lineage.capture(runId, "training-set", null, null, workingDir).properties());
    props.putAll(plan.properties());

    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    var rows = plan.rows(env);
    if (warehouse.exists(out)) {
      LOG.info("replacing training set {} (dropping table {})", name, out);
      warehouse.catalog().dropTable(out, false);
    }
    Table table = warehouse.createOrLoad(out, plan.schema(), PartitionSpec.unpartitioned());
    IcebergAppend.to(warehouse.tableLoader(out), "janus-training-" + runId)
        .withSnapshotProperties(props)
        .append(rows, "iceberg training-set writer");
    env.execute("janus training-set " + name);

    table.refresh();
    Snapshot snap = table.currentSnapshot();
    if (snap == null) { // an empty spine: still a snapshot that says what it was built from
      var append = table.newAppend();
      props.forEach(append::set);
      append.commit();
      table.refresh();
      snap = table.currentSnapshot();
    }
    long count = Long.parseLong(snap.summary().getOrDefault("total-records", "0"));
    long ms = System.currentTimeMillis() - t0;
    LOG.info("training set {}: {} rows in {} ms", name, count, ms);
    return new TrainingSetResult(
        name,
        out.toString(),
        snap.snapshotId(),
        count,
        join.spine().origin(),
        plan.inputs(),
        runId,
        ms);
  }
}
