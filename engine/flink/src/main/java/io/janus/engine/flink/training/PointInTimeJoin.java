package io.janus.engine.flink.training;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.types.Types;

/**
 * The point-in-time join of a spine with the features of one or more groups, shared by training
 * sets and batch prediction (so a model is scored on vectors built exactly as it was trained on):
 * every spine row, unchanged, followed by each group's features as of the row's time (DESIGN §4:
 * the row with the greatest {@code valid_from <= time}, null when there is none or its TTL has
 * passed), read from pinned snapshots of the feature tables.
 *
 * <p>Feature columns keep their names; where two groups, or a group and the spine, share a name,
 * the group's column is named {@code <group>__<name>}. Immutable: each {@code with…} returns a
 * copy, then {@link #plan()} checks the inputs and fixes the snapshots.
 */
public final class PointInTimeJoin implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String NO_KEY = "\u0000";

  private final Warehouse warehouse;
  private final Spine spine;
  private final List<FeatureGroup> groups;
  private final Map<String, String> keyMap;
  private final Map<String, Long> snapshots;
  private final Columns columns;

  /** What each group adds to a spine row. */
  private enum Columns {
    FEATURES,
    FEATURES_AND_VALID_FROM
  }

  private PointInTimeJoin(
      Warehouse warehouse,
      Spine spine,
      List<FeatureGroup> groups,
      Map<String, String> keyMap,
      Map<String, Long> snapshots,
      Columns columns) {
    this.warehouse = warehouse;
    this.spine = spine;
    this.groups = groups;
    this.keyMap = keyMap;
    this.snapshots = snapshots;
    this.columns = columns;
  }

  /**
   * The join of {@code spine} with the features of {@code groups} at their tables' current
   * snapshots.
   *
   * @param warehouse the warehouse holding the feature tables
   * @param spine the rows to extend
   * @param groups the groups, in output order
   * @return the join, to configure further
   */
  public static PointInTimeJoin of(Warehouse warehouse, Spine spine, List<FeatureGroup> groups) {
    if (groups.isEmpty()) throw new IllegalArgumentException("no --groups given");
    return new PointInTimeJoin(
        warehouse, spine, List.copyOf(groups), Map.of(), Map.of(), Columns.FEATURES);
  }

  /**
   * Spine column to entity key field, for spines that name a key differently from a group.
   *
   * @param spineColumnToEntity the mapping
   * @return a copy with the mapping
   */
  public PointInTimeJoin withKeyMap(Map<String, String> spineColumnToEntity) {
    return new PointInTimeJoin(
        warehouse, spine, groups, Map.copyOf(spineColumnToEntity), snapshots, columns);
  }

  /**
   * Reads {@code group}'s feature table at {@code snapshotId} instead of its current snapshot.
   *
   * @param group a group of the join
   * @param snapshotId a snapshot of its feature table
   * @return a copy reading that snapshot
   */
  public PointInTimeJoin withSnapshot(String group, long snapshotId) {
    Map<String, Long> s = new HashMap<>(snapshots);
    s.put(group, snapshotId);
    return new PointInTimeJoin(warehouse, spine, groups, keyMap, Map.copyOf(s), columns);
  }

  /**
   * Also adds, after each group's features, the {@code valid_from} of the row they came from as
   * {@code <group>__valid_from} (null where the features are): which row a point-in-time lookup
   * picked, e.g. to tell a stale served value from a wrong one.
   *
   * @return a copy adding the column
   */
  public PointInTimeJoin withValidFrom() {
    return new PointInTimeJoin(
        warehouse, spine, groups, keyMap, snapshots, Columns.FEATURES_AND_VALID_FROM);
  }

  /** The name of {@code group}'s valid_from column added by {@link #withValidFrom()}. */
  public static String validFromColumn(String group) {
    return group + "__" + FeatureTables.VALID_FROM;
  }

  /** The spine. */
  public Spine spine() {
    return spine;
  }

  /** The groups, in output order. */
  public List<FeatureGroup> groups() {
    return groups;
  }

  /**
   * Checks the inputs (tables exist, have the group's columns and the snapshots; the spine has
   * every entity key) and fixes the snapshots to read.
   *
   * @return the plan, which adds the job to an environment
   */
  public Plan plan() {
    for (String g : snapshots.keySet()) {
      if (groups.stream().noneMatch(x -> x.name().equals(g)))
        throw new IllegalArgumentException(
            "--as-of-snapshot names group '" + g + "', which is not in --groups");
    }
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
      if (this.columns == Columns.FEATURES_AND_VALID_FROM) {
        outFields.add(
            Types.NestedField.optional(
                outFields.size() + 1, validFromColumn(g.name()), Types.TimestampType.withZone()));
      }
      stages.add(
          new Stage(
              g,
              table.schema(),
              snapshot,
              keyColumns,
              new Schema(outFields),
              this.columns == Columns.FEATURES_AND_VALID_FROM));
      inputs.add(
          new TrainingSetResult.Input(
              g.name(), tid.toString(), snapshot, g.fingerprint(), columns));
    }
    return new Plan(this, new Schema(outFields), List.copyOf(stages), List.copyOf(inputs));
  }

  /**
   * A checked join with fixed snapshots: its output schema, the inputs it reads, and the job.
   * Serializable, so operators may carry it.
   */
  public static final class Plan implements Serializable {
    private static final long serialVersionUID = 1L;
    private final PointInTimeJoin join;
    private final Schema schema;
    private final List<Stage> stages;
    private final List<TrainingSetResult.Input> inputs;

    private Plan(
        PointInTimeJoin join,
        Schema schema,
        List<Stage> stages,
        List<TrainingSetResult.Input> inputs) {
      this.join = join;
      this.schema = schema;
      this.stages = stages;
      this.inputs = inputs;
    }

    /** The output columns: the spine's, then each group's features. */
    public Schema schema() {
      return schema;
    }

    /** Each group's table, snapshot, fingerprint and output columns, in order. */
    public List<TrainingSetResult.Input> inputs() {
      return inputs;
    }

    /**
     * The snapshot properties recording the inputs: {@code janus.training.<group>.table}, {@code
     * .snapshot-id}, {@code .fingerprint} and {@code .columns} per group, plus {@code
     * janus.training.groups} and {@code janus.training.spine}.
     */
    public Map<String, String> properties() {
      Map<String, String> props = new LinkedHashMap<>();
      props.put(TrainingSet.SPINE, join.spine.origin());
      props.put(TrainingSet.GROUPS, String.join(",", inputs.stream().map(i -> i.group()).toList()));
      for (TrainingSetResult.Input in : inputs) {
        String p = "janus.training." + in.group();
        props.put(p + ".table", in.table());
        props.put(p + ".snapshot-id", Long.toString(in.snapshotId()));
        props.put(p + ".fingerprint", in.fingerprint());
        props.put(p + ".columns", String.join(",", in.columns()));
      }
      return props;
    }

    /**
     * Adds the join to {@code env}'s graph (run it in BATCH mode).
     *
     * @param env the job's environment
     * @return the joined rows in {@link #schema()}
     */
    public DataStream<RowData> rows(StreamExecutionEnvironment env) {
      DataStream<RowData> rows = join.spine.rows(env);
      RowType rowType = TrainingRows.withTime(join.spine.schema());
      for (Stage s : stages) {
        RowType next = TrainingRows.withTime(s.schemaAfter);
        RowType featureType = featureRowType(s);
        rows =
            rows.keyBy(spineKey(rowType, s.keyColumns))
                .connect(join.featureRows(env, s, featureType).keyBy(new FeatureKey()))
                .process(new AsOfJoin(s.group, rowType, featureType), InternalTypeInfo.of(next))
                .name("as-of join " + s.group.name() + " @" + s.snapshot);
        rowType = next;
      }
      RowType outType = FlinkSchemaUtil.convert(schema);
      int width = schema.columns().size();
      RowData.FieldGetter[] columns = new RowData.FieldGetter[width];
      for (int i = 0; i < width; i++)
        columns[i] = RowData.createFieldGetter(rowType.getTypeAt(i + 1), i + 1);
      MapFunction<RowData, RowData> dropTime =
          row -> {
            GenericRowData o = new GenericRowData(width);
            for (int i = 0; i < width; i++) o.setField(i, columns[i].getFieldOrNull(row));
            return o;
          };
      return rows.map(dropTime, InternalTypeInfo.of(outType)).name("point-in-time rows");
    }
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

  /** One group's join: its table's schema, snapshot, spine key columns and the columns after it. */
  private record Stage(
      FeatureGroup group,
      Schema tableSchema,
      long snapshot,
      int[] keyColumns,
      Schema schemaAfter,
      boolean withValidFrom)
      implements Serializable {}

  /** {@code (key, valid_from ms, features…)}. */
  private static RowType featureRowType(Stage s) {
    List<RowType.RowField> fields = new ArrayList<>();
    fields.add(new RowType.RowField("__key", new VarCharType(false, VarCharType.MAX_LENGTH)));
    fields.add(new RowType.RowField("__valid_from", new BigIntType(false)));
    RowType table = FlinkSchemaUtil.convert(s.tableSchema);
    for (String f : s.group.schema().featureNames())
      fields.add(new RowType.RowField(f, table.getTypeAt(table.getFieldIndex(f))));
    if (s.withValidFrom)
      fields.add(new RowType.RowField("__row_valid_from", new LocalZonedTimestampType(6)));
    return new RowType(fields);
  }

  private DataStream<RowData> featureRows(
      StreamExecutionEnvironment env, Stage s, RowType featureType) {
    RowType table = FlinkSchemaUtil.convert(s.tableSchema);
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
    boolean addValidFrom = s.withValidFrom;
    MapFunction<RowData, RowData> project =
        row -> {
          GenericRowData o = new GenericRowData(values.length + (addValidFrom ? 3 : 2));
          o.setField(0, StringData.fromString(keyString(key, row)));
          TimestampData vf = row.getTimestamp(validFrom, precision);
          o.setField(1, vf.getMillisecond());
          for (int i = 0; i < values.length; i++) o.setField(i + 2, values[i].getFieldOrNull(row));
          if (addValidFrom) o.setField(values.length + 2, vf);
          return o;
        };
    IcebergSource<RowData> src =
        IcebergSource.forRowData()
            .tableLoader(warehouse.tableLoader(FeatureTables.id(s.group)))
            .useSnapshotId(s.snapshot)
            .project(s.tableSchema)
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
  static String keyString(RowData.FieldGetter[] key, RowData row) {
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
