package io.janus.engine.flink.training;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.sink.IcebergAppend;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.lineage.Lineage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A point-in-time training set as a Flink BATCH job: every spine row, unchanged, followed by the
 * features of each group as they were at the row's time (DESIGN §4: the row with the greatest
 * {@code valid_from <= time}, null when there is none or its TTL has passed), read from pinned
 * snapshots of the feature tables and written to the Iceberg table {@code training.<name>}, whose
 * snapshot summary records the spine, each group's table, snapshot and fingerprint, and lineage.
 *
 * <p>Feature columns keep their names; where two groups, or a group and the spine, share a name,
 * the group's column is named {@code <group>__<name>}.
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
  private static final String NO_KEY = "\u0000";

  private final Warehouse warehouse;
  private final Spine spine;
  private final List<FeatureGroup> groups;
  private final String name;
  private final Map<String, String> keyMap;
  private final Map<String, Long> snapshots;
  private final boolean replace;
  private final String runId;
  private final Path workingDir;

  private TrainingSet(
      Warehouse warehouse,
      Spine spine,
      List<FeatureGroup> groups,
      String name,
      Map<String, String> keyMap,
      Map<String, Long> snapshots,
      boolean replace,
      String runId,
      Path workingDir) {
    this.warehouse = warehouse;
    this.spine = spine;
    this.groups = groups;
    this.name = name;
    this.keyMap = keyMap;
    this.snapshots = snapshots;
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
    if (groups.isEmpty()) throw new IllegalArgumentException("no --groups given");
    return new TrainingSet(
        warehouse,
        spine,
        List.copyOf(groups),
        name,
        Map.of(),
        Map.of(),
        false,
        UUID.randomUUID().toString(),
        Path.of(""));
  }

  /** Spine column to entity key field, for spines that name a key differently from a group. */
  public TrainingSet withKeyMap(Map<String, String> spineColumnToEntity) {
    return new TrainingSet(
        warehouse,
        spine,
        groups,
        name,
        Map.copyOf(spineColumnToEntity),
        snapshots,
        replace,
        runId,
        workingDir);
  }

  /** Reads {@code group}'s feature table at {@code snapshotId} instead of its current snapshot. */
  public TrainingSet withSnapshot(String group, long snapshotId) {
    Map<String, Long> s = new HashMap<>(snapshots);
    s.put(group, snapshotId);
    return new TrainingSet(
        warehouse, spine, groups, name, keyMap, Map.copyOf(s), replace, runId, workingDir);
  }

  /** The same run, replacing a training set of the same name (its table is dropped first). */
  public TrainingSet replacing() {
    return new TrainingSet(
        warehouse, spine, groups, name, keyMap, snapshots, true, runId, workingDir);
  }

  /** The run id recorded in lineage (default a new UUID). */
  public TrainingSet withRunId(String id) {
    return new TrainingSet(
        warehouse, spine, groups, name, keyMap, snapshots, replace, id, workingDir);
  }

  /** Directory where git facts are looked up (the repository around it). */
  public TrainingSet withWorkingDir(Path dir) {
    return new TrainingSet(warehouse, spine, groups, name, keyMap, snapshots, replace, runId, dir);
  }

  /** The training set's table. */
  public static TableIdentifier id(String name) {
    return Warehouse.id(NAMESPACE, name);
  }

  /** Checks the inputs, runs the job on {@code env} (switched to BATCH) and commits the table. */
  public TrainingSetResult run(StreamExecutionEnvironment env) throws Exception {
    long t0 = System.currentTimeMillis();
    for (String g : snapshots.keySet()) {
      if (groups.stream().noneMatch(x -> x.name().equals(g)))
        throw new IllegalArgumentException(
            "--as-of-snapshot names group '" + g + "', which is not in --groups");
    }
    TableIdentifier out = id(name);
    if (warehouse.exists(out) && !replace) {
      throw new IllegalStateException(
          "training set "
              + name
              + " exists (table "
              + out
              + "); choose another --name or pass --replace");
    }

    // 1. Inputs: each group's table and snapshot, the spine's key columns, the output columns.
    List<String> spineColumns = spine.columnNames();
    Map<String, Integer> uses = new HashMap<>();
    spineColumns.forEach(c -> uses.merge(c, 1, Integer::sum));
    for (FeatureGroup g : groups)
      g.schema().featureNames().forEach(f -> uses.merge(f, 1, Integer::sum));
    List<Types.NestedField> outFields = new ArrayList<>();
    for (Types.NestedField f : spine.schema().columns())
      outFields.add(Types.NestedField.optional(outFields.size() + 1, f.name(), f.type()));
    List<Stage> stages = new ArrayList<>();
    List<TrainingSetResult.Input> inputs = new ArrayList<>();
    Map<String, String> props =
        new LinkedHashMap<>(
            Lineage.capture(runId, "training-set", null, null, workingDir).properties());
    props.put(SPINE, spine.origin());
    props.put(GROUPS, String.join(",", groups.stream().map(FeatureGroup::name).toList()));
    for (FeatureGroup g : groups) {
      TableIdentifier tid = FeatureTables.id(g);
      if (!warehouse.exists(tid)) {
        throw new IllegalArgumentException(
            "feature table "
                + tid
                + " does not exist yet: run a backfill of "
                + g.name()
                + " first");
      }
      Table table = warehouse.load(tid);
      FeatureTables.requireColumns(table, g);
      long snapshot = snapshotOf(g, table);
      int[] keyColumns = new int[g.entity().size()];
      for (int k = 0; k < keyColumns.length; k++) {
        String entity = g.entity().get(k);
        String column = spineColumnOf(entity);
        keyColumns[k] = spineColumns.indexOf(column);
        if (keyColumns[k] < 0) {
          throw new IllegalArgumentException(
              "spine "
                  + spine.origin()
                  + " has no column '"
                  + column
                  + "' for entity key '"
                  + entity
                  + "' of group "
                  + g.name()
                  + "; map one with --key-map COLUMN="
                  + entity);
        }
      }
      List<String> columns = new ArrayList<>();
      for (String f : g.schema().featureNames()) {
        String col = uses.get(f) > 1 ? g.name() + "__" + f : f;
        columns.add(col);
        outFields.add(
            Types.NestedField.optional(
                outFields.size() + 1, col, table.schema().findField(f).type()));
      }
      stages.add(new Stage(g, table, snapshot, keyColumns, new Schema(List.copyOf(outFields))));
      inputs.add(
          new TrainingSetResult.Input(
              g.name(), tid.toString(), snapshot, g.fingerprint(), columns));
      String p = "janus.training." + g.name();
      props.put(p + ".table", tid.toString());
      props.put(p + ".snapshot-id", Long.toString(snapshot));
      props.put(p + ".fingerprint", g.fingerprint());
    }
    Schema outSchema = new Schema(outFields);

    // 2. The job: the spine, then one as-of join per group, then the table.
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    DataStream<RowData> rows = spine.rows(env);
    RowType rowType = TrainingRows.withTime(spine.schema());
    for (Stage s : stages) {
      RowType next = TrainingRows.withTime(s.schemaAfter);
      RowType featureType = featureRowType(s);
      rows =
          rows.keyBy(spineKey(rowType, s.keyColumns))
              .connect(featureRows(env, s, featureType).keyBy(new FeatureKey()))
              .process(new AsOfJoin(s.group, rowType, featureType), InternalTypeInfo.of(next))
              .name("as-of join " + s.group.name() + " @" + s.snapshot);
      rowType = next;
    }
    RowType outType = FlinkSchemaUtil.convert(outSchema);
    int width = outSchema.columns().size();
    RowData.FieldGetter[] columns = new RowData.FieldGetter[width];
    for (int i = 0; i < width; i++)
      columns[i] = RowData.createFieldGetter(rowType.getTypeAt(i + 1), i + 1);
    MapFunction<RowData, RowData> dropTime =
        row -> {
          GenericRowData o = new GenericRowData(width);
          for (int i = 0; i < width; i++) o.setField(i, columns[i].getFieldOrNull(row));
          return o;
        };
    DataStream<RowData> written =
        rows.map(dropTime, InternalTypeInfo.of(outType)).name("training rows");

    if (warehouse.exists(out)) {
      LOG.info("replacing training set {} (dropping table {})", name, out);
      warehouse.catalog().dropTable(out, false);
    }
    Table table = warehouse.createOrLoad(out, outSchema, PartitionSpec.unpartitioned());
    IcebergAppend.to(warehouse.tableLoader(out), "janus-training-" + runId)
        .withSnapshotProperties(props)
        .append(written, "iceberg training-set writer");
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
        name, out.toString(), snap.snapshotId(), count, spine.origin(), inputs, runId, ms);
  }

  private long snapshotOf(FeatureGroup g, Table table) {
    Long pinned = snapshots.get(g.name());
    if (pinned != null) {
      if (table.snapshot(pinned) == null) {
        throw new IllegalArgumentException(
            "feature table " + FeatureTables.id(g) + " has no snapshot " + pinned);
      }
      return pinned;
    }
    if (table.currentSnapshot() == null) {
      throw new IllegalArgumentException(
          "feature table "
              + FeatureTables.id(g)
              + " has no published snapshot: run a backfill of "
              + g.name()
              + " first");
    }
    return table.currentSnapshot().snapshotId();
  }

  private String spineColumnOf(String entity) {
    for (Map.Entry<String, String> e : keyMap.entrySet()) {
      if (e.getValue().equals(entity)) return e.getKey();
    }
    return entity;
  }

  /** One group's join: its table, snapshot, spine key columns and the columns after it. */
  private record Stage(
      FeatureGroup group, Table table, long snapshot, int[] keyColumns, Schema schemaAfter) {}

  /** {@code (key, valid_from ms, features…)}. */
  private static RowType featureRowType(Stage s) {
    List<RowType.RowField> fields = new ArrayList<>();
    fields.add(new RowType.RowField("__key", new VarCharType(false, VarCharType.MAX_LENGTH)));
    fields.add(new RowType.RowField("__valid_from", new BigIntType(false)));
    RowType table = FlinkSchemaUtil.convert(s.table.schema());
    for (String f : s.group.schema().featureNames())
      fields.add(new RowType.RowField(f, table.getTypeAt(table.getFieldIndex(f))));
    return new RowType(fields);
  }

  private DataStream<RowData> featureRows(
      StreamExecutionEnvironment env, Stage s, RowType featureType) {
    RowType table = FlinkSchemaUtil.convert(s.table.schema());
    List<String> names = table.getFieldNames();
    RowData.FieldGetter[] key =
        s.group.entity().stream()
            .map(
                e -> RowData.createFieldGetter(table.getTypeAt(names.indexOf(e)), names.indexOf(e)))
            .toArray(RowData.FieldGetter[]::new);
    int validFrom = names.indexOf(FeatureTables.VALID_FROM);
    int precision = LogicalTypeChecks.getPrecision(table.getTypeAt(validFrom));
    List<String> features = s.group.schema().featureNames();
    RowData.FieldGetter[] values =
        features.stream()
            .map(
                f -> RowData.createFieldGetter(table.getTypeAt(names.indexOf(f)), names.indexOf(f)))
            .toArray(RowData.FieldGetter[]::new);
    MapFunction<RowData, RowData> project =
        row -> {
          GenericRowData o = new GenericRowData(values.length + 2);
          o.setField(0, StringData.fromString(keyString(key, row)));
          o.setField(1, row.getTimestamp(validFrom, precision).getMillisecond());
          for (int i = 0; i < values.length; i++) o.setField(i + 2, values[i].getFieldOrNull(row));
          return o;
        };
    IcebergSource<RowData> src =
        IcebergSource.forRowData()
            .tableLoader(warehouse.tableLoader(FeatureTables.id(s.group)))
            .useSnapshotId(s.snapshot)
            .project(s.table.schema())
            .build();
    return env.fromSource(
            src,
            WatermarkStrategy.noWatermarks(),
            "iceberg " + FeatureTables.id(s.group) + " @" + s.snapshot,
            InternalTypeInfo.of(table))
        .map(project, InternalTypeInfo.of(featureType))
        .name("key and valid_from of " + s.group.name());
  }

  /** Entity values joined as the feature side joins them; a row missing one gets no features. */
  private static String keyString(RowData.FieldGetter[] key, RowData row) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < key.length; i++) {
      Object v = key[i].getFieldOrNull(row);
      if (v == null) return NO_KEY;
      if (i > 0) b.append('\u001F');
      b.append(v instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue()) : v);
    }
    return b.toString();
  }

  private static KeySelector<RowData, String> spineKey(RowType rowType, int[] keyColumns) {
    RowData.FieldGetter[] key = new RowData.FieldGetter[keyColumns.length];
    for (int i = 0; i < key.length; i++)
      key[i] = RowData.createFieldGetter(rowType.getTypeAt(keyColumns[i] + 1), keyColumns[i] + 1);
    return new SpineKey(key);
  }

  /** The entity key of a spine row, from its mapped columns. */
  private static final class SpineKey implements KeySelector<RowData, String> {
    private final RowData.FieldGetter[] key;

    SpineKey(RowData.FieldGetter[] key) {
      this.key = key;
    }

    @Override
    public String getKey(RowData row) {
      return keyString(key, row);
    }
  }

  /** The key field of a feature row. */
  private static final class FeatureKey implements KeySelector<RowData, String> {
    @Override
    public String getKey(RowData row) {
      return row.getString(0).toString();
    }
  }
}
