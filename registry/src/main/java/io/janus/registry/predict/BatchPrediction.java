package io.janus.registry.predict;

import io.janus.engine.flink.compute.Accumulators;
import io.janus.engine.flink.sink.IcebergAppend;
import io.janus.engine.flink.training.PointInTimeJoin;
import io.janus.engine.flink.training.TrainingSetResult;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.lineage.Lineage;
import io.janus.engine.iceberg.wap.WriteAuditPublish;
import io.janus.registry.ModelVersion;
import io.janus.registry.onnx.ModelSignature;
import io.janus.registry.onnx.OnnxModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batch prediction as a Flink BATCH job: the rows to score get their features by the same {@link
 * PointInTimeJoin} as training sets, are scored by the model's ONNX file in ONNX Runtime, and are
 * written to {@code predictions.<name>} through Write-Audit-Publish: a branch replacing the table's
 * rows, an audit (row count equals rows scored, every score finite and in [0, 1], imputation
 * counted), and a publish only when the audit passes.
 */
public final class BatchPrediction {
  private static final Logger LOG = LoggerFactory.getLogger(BatchPrediction.class);

  /** The namespace of prediction tables. */
  public static final String NAMESPACE = "predictions";

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

  private final Warehouse warehouse;
  private final ModelVersion version;
  private final byte[] onnx;
  private final PointInTimeJoin join;
  private final String name;
  private final String runId;
  private final Path workingDir;

  private BatchPrediction(
      Warehouse warehouse,
      ModelVersion version,
      byte[] onnx,
      PointInTimeJoin join,
      String name,
      String runId,
      Path workingDir) {
    this.warehouse = warehouse;
    this.version = version;
    this.onnx = onnx;
    this.join = join;
    this.name = name;
    this.runId = runId;
    this.workingDir = workingDir;
  }

  /**
   * Scoring {@code join}'s rows with {@code version} into {@code predictions.<name>}.
   *
   * @param warehouse the warehouse
   * @param version the registered version
   * @param onnx its artifact, as {@code ModelRegistry.load} returned it (hash checked)
   * @param join the rows and the features to build
   * @param name the prediction set's name
   * @return the prediction, to configure further
   */
  public static BatchPrediction of(
      Warehouse warehouse, ModelVersion version, byte[] onnx, PointInTimeJoin join, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "prediction name '" + name + "' must be a letter then letters, digits or _");
    }
    return new BatchPrediction(
        warehouse, version, onnx.clone(), join, name, UUID.randomUUID().toString(), Path.of(""));
  }

  /** The run id recorded in lineage (default a new UUID). */
  public BatchPrediction withRunId(String id) {
    return new BatchPrediction(warehouse, version, onnx, join, name, id, workingDir);
  }

  /** Directory where git facts are looked up. */
  public BatchPrediction withWorkingDir(Path dir) {
    return new BatchPrediction(warehouse, version, onnx, join, name, runId, dir);
  }

  /** The prediction table of {@code name}. */
  public static TableIdentifier id(String name) {
    return Warehouse.id(NAMESPACE, name);
  }

  /** Checks the model's inputs against the features, runs the job, audits and publishes. */
  public PredictionResult run(StreamExecutionEnvironment env) throws Exception {
    long t0 = System.currentTimeMillis();
    ModelSignature signature;
    try (OnnxModel m = OnnxModel.load(onnx, version.ref())) {
      signature = m.signature();
    }
    PointInTimeJoin.Plan plan = join.plan();
    Schema in = plan.schema();
    // Model inputs are training-set column names: a group's feature, prefixed <group>__ where
    // names collided. They are always fed from the groups' features, never from a spine column of
    // the same name.
    Map<String, String> featureColumns = new LinkedHashMap<>();
    for (int g = 0; g < plan.inputs().size(); g++) {
      TrainingSetResult.Input input = plan.inputs().get(g);
      List<String> features = join.groups().get(g).schema().featureNames();
      for (int f = 0; f < features.size(); f++) {
        featureColumns.putIfAbsent(features.get(f), input.columns().get(f));
        featureColumns.put(input.group() + "__" + features.get(f), input.columns().get(f));
      }
    }
    int[] inputColumns = new int[signature.inputs().size()];
    for (int i = 0; i < inputColumns.length; i++) {
      String input = signature.inputs().get(i).name();
      String column = featureColumns.get(input);
      Types.NestedField f = column == null ? null : in.findField(column);
      if (f == null || !ModelSignature.accepts(f.type())) {
        throw new IllegalArgumentException(
            "model "
                + version.ref()
                + " expects input '"
                + input
                + "', which "
                + (f == null ? "no feature of the groups " : "is not numeric in the groups ")
                + String.join(",", join.groups().stream().map(g -> g.name()).toList())
                + " provides (model inputs: "
                + String.join(", ", signature.names())
                + ")");
      }
      inputColumns[i] = in.columns().indexOf(f);
    }

    List<Types.NestedField> fields = new ArrayList<>(in.columns());
    int id = fields.stream().mapToInt(Types.NestedField::fieldId).max().orElse(0);
    fields.add(Types.NestedField.optional(++id, "score", Types.DoubleType.get()));
    fields.add(Types.NestedField.optional(++id, "predicted_label", Types.StringType.get()));
    fields.add(Types.NestedField.optional(++id, "model", Types.StringType.get()));
    fields.add(Types.NestedField.optional(++id, "model_version", Types.StringType.get()));
    long[] snapshots = new long[plan.inputs().size()];
    for (int i = 0; i < snapshots.length; i++) {
      TrainingSetResult.Input g = plan.inputs().get(i);
      snapshots[i] = g.snapshotId();
      fields.add(
          Types.NestedField.optional(++id, g.group() + "_snapshot_id", Types.LongType.get()));
    }
    fields.add(Types.NestedField.optional(++id, "run_id", Types.StringType.get()));
    fields.add(Types.NestedField.optional(++id, "imputed", Types.StringType.get()));
    Schema outSchema = new Schema(fields);

    TableIdentifier out = id(name);
    Table table = warehouse.createOrLoad(out, outSchema, PartitionSpec.unpartitioned());
    // The audit reads the score's bounds and counts from file metrics: keep them however wide the
    // table (Iceberg infers metrics for the first 100 columns only).
    if (!table
        .properties()
        .containsKey(TableProperties.METRICS_MODE_COLUMN_CONF_PREFIX + "score")) {
      table
          .updateProperties()
          .set(TableProperties.METRICS_MODE_COLUMN_CONF_PREFIX + "score", "full")
          .set(TableProperties.METRICS_MODE_COLUMN_CONF_PREFIX + "imputed", "counts")
          .commit();
    }
    if (!table.schema().sameSchema(outSchema)) {
      for (Types.NestedField f : outSchema.columns()) {
        Types.NestedField old = table.schema().findField(f.name());
        if (old != null && !old.type().equals(f.type())) {
          throw new IllegalArgumentException(
              "table "
                  + out
                  + " has column '"
                  + f.name()
                  + "' as "
                  + old.type()
                  + ", this run makes it "
                  + f.type()
                  + ": choose another --name for predictions over this spine");
        }
      }
      table.updateSchema().unionByNameWith(outSchema).commit();
      table.refresh();
    }
    Map<String, String> props =
        new LinkedHashMap<>(Lineage.capture(runId, "predict", null, null, workingDir).properties());
    props.putAll(plan.properties());
    props.put("janus.predict.model", version.model());
    props.put("janus.predict.model-version", version.version());
    props.put("janus.predict.sha256", version.sha256());
    String branch = "predict_" + runId.replace("-", "");
    long base = table.currentSnapshot() == null ? -1 : table.currentSnapshot().snapshotId();
    var open = WriteAuditPublish.on(table).openBranch(branch).clearing(Expressions.alwaysTrue());
    props.forEach(open::set);
    open.commit();

    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    DataStream<RowData> rows = plan.rows(env);
    var inType = FlinkSchemaUtil.convert(in);
    var rowType = FlinkSchemaUtil.convert(table.schema());
    DataStream<RowData> scored =
        rows.transform(
                "score with " + version.ref(),
                InternalTypeInfo.of(FlinkSchemaUtil.convert(outSchema)),
                new ScoreOperator(
                    onnx,
                    version.sha256(),
                    version.model(),
                    version.version(),
                    inType,
                    inputColumns,
                    signature.names(),
                    snapshots,
                    runId))
            .uid("janus-score-" + runId);
    if (!table.schema().sameSchema(outSchema)) {
      scored = reorder(scored, outSchema, table.schema(), rowType);
    }
    IcebergAppend.to(warehouse.tableLoader(out), "janus-predict-" + runId)
        .withBranch(branch)
        .withSnapshotProperties(props)
        .append(scored, "iceberg prediction writer");
    long job0 = System.currentTimeMillis();
    JobExecutionResult result = env.execute("janus predict " + version.ref() + " → " + out);
    long jobMs = System.currentTimeMillis() - job0;
    long scoredRows = Accumulators.count(result, ScoreOperator.SCORED);

    table.refresh();
    long branchSnapshot = table.refs().get(branch).snapshotId();
    PredictionResult.Audit audit =
        audit(table, branchSnapshot, scoredRows, sum(result, ScoreOperator.SCORE_SUM));
    long snapshot = branchSnapshot;
    if (audit.passed()) {
      var publish = WriteAuditPublish.on(table).publishBranch(branch);
      if (base >= 0) publish.validateFromSnapshot(base);
      publish.publish();
      LOG.info(
          "prediction {}: {} rows scored by {}; job {} ms, total {} ms, published",
          name,
          scoredRows,
          version.ref(),
          jobMs,
          System.currentTimeMillis() - t0);
      table.refresh();
      snapshot = table.currentSnapshot().snapshotId();
    } else {
      LOG.warn("prediction {} not published; branch {} kept: {}", name, branch, audit.failures());
    }
    return new PredictionResult(
        name,
        out.toString(),
        snapshot,
        audit.passed(),
        version.model(),
        version.version(),
        scoredRows,
        join.spine().origin(),
        plan.inputs(),
        audit,
        runId,
        System.currentTimeMillis() - t0);
  }

  private static DataStream<RowData> reorder(
      DataStream<RowData> rows,
      Schema from,
      Schema to,
      org.apache.flink.table.types.logical.RowType toType) {
    var fromType = FlinkSchemaUtil.convert(from);
    int[] source = new int[to.columns().size()];
    RowData.FieldGetter[] get = new RowData.FieldGetter[source.length];
    for (int i = 0; i < source.length; i++) {
      String col = to.columns().get(i).name();
      source[i] = fromType.getFieldNames().indexOf(col);
      get[i] =
          source[i] < 0
              ? null
              : RowData.createFieldGetter(fromType.getTypeAt(source[i]), source[i]);
    }
    return rows.map(
            row -> {
              org.apache.flink.table.data.GenericRowData o =
                  new org.apache.flink.table.data.GenericRowData(get.length);
              for (int i = 0; i < get.length; i++)
                o.setField(i, get[i] == null ? null : get[i].getFieldOrNull(row));
              return (RowData) o;
            },
            InternalTypeInfo.of(toType))
        .name("rows in the table's column order");
  }

  /**
   * Audits the branch from what Iceberg recorded of its data files (no scan of the rows): the row
   * count, and the score column's bounds, null and NaN counts (metrics kept in full for it and
   * {@code imputed}, whatever the table's width), the mean from the job's own sum.
   */
  private static PredictionResult.Audit audit(
      Table table, long snapshot, long scored, double scoreSum) {
    int score = table.schema().findField("score").fieldId();
    int imputedId = table.schema().findField("imputed").fieldId();
    long rows = 0, nulls = 0, notImputed = 0;
    Double min = null, max = null;
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot).includeColumnStats().planFiles()) {
      for (FileScanTask t : tasks) {
        DataFile f = t.file();
        rows += f.recordCount();
        nulls += count(f.nullValueCounts(), score) + count(f.nanValueCounts(), score);
        notImputed += count(f.nullValueCounts(), imputedId);
        if (f.lowerBounds() != null && f.lowerBounds().containsKey(score)) {
          double lo =
              Conversions.fromByteBuffer(Types.DoubleType.get(), f.lowerBounds().get(score));
          double hi =
              Conversions.fromByteBuffer(Types.DoubleType.get(), f.upperBounds().get(score));
          min = min == null ? lo : Math.min(min, lo);
          max = max == null ? hi : Math.max(max, hi);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> failures = new ArrayList<>();
    if (rows == 0) failures.add("no rows were scored");
    if (rows != scored) failures.add("branch has " + rows + " rows but the job scored " + scored);
    if (nulls > 0) failures.add(nulls + " rows have no finite score");
    if (min != null && (min < 0 || max > 1))
      failures.add("scores outside [0, 1]: min " + min + ", max " + max);
    return new PredictionResult.Audit(
        failures.isEmpty(),
        rows,
        scored,
        min,
        max,
        rows > nulls ? scoreSum / (rows - nulls) : null,
        nulls,
        rows - notImputed,
        failures);
  }

  private static double sum(JobExecutionResult result, String name) {
    Double v = result.getAccumulatorResult(name);
    return v == null ? 0 : v;
  }

  private static long count(Map<Integer, Long> counts, int field) {
    Long n = counts == null ? null : counts.get(field);
    return n == null ? 0 : n;
  }
}
