package io.janus.registry.train;

import ai.onnx.proto.OnnxMl;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.iceberg.Warehouse;
import io.janus.registry.onnx.ModelSignature;
import io.janus.registry.onnx.OnnxModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains a binary classifier on a training set with Oracle Tribuo (logistic regression by SGD) and
 * exports it to ONNX, with the {@link ModelSignature} (inputs, imputation, scaling, labels) in the
 * file's metadata. The held-out fifth of the rows is scored with the exported ONNX file through
 * ONNX Runtime, so the metrics describe the artifact that will be registered, not the trainer's
 * in-memory model.
 *
 * <p>Inputs are the training set's numeric and boolean feature columns (as recorded in its snapshot
 * summary); text features are skipped and named in the result. Rows without a label are not used
 * and counted.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  private static final long SEED = 42L;

  /** Tribuo logs each training through java.util.logging; Janus logs its own one-line summary. */
  private static final java.util.logging.Logger TRIBUO_LOG =
      java.util.logging.Logger.getLogger("org.tribuo");

  static {
    TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final Warehouse warehouse;
  private final String trainingSet;
  private final String label;
  private final int epochs;

  private Trainer(Warehouse warehouse, String trainingSet, String label, int epochs) {
    this.warehouse = warehouse;
    this.trainingSet = trainingSet;
    this.label = label;
    this.epochs = epochs;
  }

  /**
   * Training on {@code trainingSet} ({@code training.<name>}) to predict {@code label}.
   *
   * @param warehouse the warehouse
   * @param trainingSet the training set's name
   * @param label its label column (two distinct values)
   * @return the trainer
   */
  public static Trainer of(Warehouse warehouse, String trainingSet, String label) {
    return new Trainer(warehouse, trainingSet, label, 20);
  }

  /** Passes over the training rows (default 20). */
  public Trainer withEpochs(int n) {
    if (n < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + n);
    return new Trainer(warehouse, trainingSet, label, n);
  }

  /**
   * A trained model: the ONNX file's bytes, its signature, metrics measured on the held-out rows
   * with the ONNX file, and the parameters to record with the version.
   *
   * @param onnx the ONNX file
   * @param signature inputs, imputation, labels
   * @param metrics {@code auc}, {@code accuracy}, {@code log_loss}, row counts
   * @param params trainer, epochs, seed, features used and skipped, imputation
   * @param trainingSnapshotId the training set's snapshot the rows came from
   */
  public record Trained(
      byte[] onnx,
      ModelSignature signature,
      Map<String, Double> metrics,
      Map<String, String> params,
      long trainingSnapshotId) {}

  /** Reads the training set, trains, exports and evaluates. */
  public Trained train() {
    Table table = TrainingSet.load(warehouse, trainingSet);
    Snapshot snap = table.currentSnapshot();
    Types.NestedField labelField = table.schema().findField(label);
    if (labelField == null) {
      throw new IllegalArgumentException(
          "training set " + trainingSet + " has no column '" + label + "' for --label");
    }
    List<String> used = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (String g : snap.summary().get(TrainingSet.GROUPS).split(",")) {
      String cols = snap.summary().get("janus.training." + g + ".columns");
      if (cols == null) {
        throw new IllegalArgumentException(
            "training set "
                + trainingSet
                + " does not record its feature columns; rebuild it with janus training-set --replace");
      }
      for (String c : cols.split(",")) {
        if (c.equals(label)) continue;
        (ModelSignature.accepts(table.schema().findType(c)) ? used : skipped).add(c);
      }
    }
    if (used.isEmpty()) {
      throw new IllegalArgumentException(
          "training set " + trainingSet + " has no numeric feature columns to train on");
    }
    used.sort(String::compareTo); // Tribuo numbers features by name: keep the tensor order obvious

    // 1. Rows: features (NaN for null) and the label as text.
    List<double[]> xs = new ArrayList<>();
    List<String> ys = new ArrayList<>();
    long unlabelled = 0;
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table).useSnapshot(snap.snapshotId()).build()) {
      for (Record r : rows) {
        Object y = r.getField(label);
        if (y == null) {
          unlabelled++;
          continue;
        }
        double[] x = new double[used.size()];
        for (int i = 0; i < x.length; i++) x[i] = ModelSignature.value(r.getField(used.get(i)));
        xs.add(x);
        ys.add(labelText(y));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TreeSet<String> classes = new TreeSet<>(ys);
    if (classes.size() != 2) {
      throw new IllegalArgumentException(
          "label column '"
              + label
              + "' of training set "
              + trainingSet
              + " has "
              + classes.size()
              + " distinct values "
              + classes
              + "; janus train fits a binary classifier (two values)");
    }
    String positive =
        classes.contains("true")
            ? "true"
            : classes.contains("1") ? "1" : classes.contains("yes") ? "yes" : classes.last();

    // 2. A deterministic fifth held out; means and deviations from the rest.
    int n = xs.size();
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int i = 0; i < n; i++) (i % 5 == 4 ? test : train).add(i);
    List<ModelSignature.Input> inputs = new ArrayList<>();
    for (int c = 0; c < used.size(); c++) {
      double sum = 0, sq = 0;
      long k = 0;
      for (int i : train) {
        double v = xs.get(i)[c];
        if (Double.isNaN(v)) continue;
        sum += v;
        sq += v * v;
        k++;
      }
      double mean = k == 0 ? 0 : sum / k;
      double var = k == 0 ? 0 : Math.max(0, sq / k - mean * mean);
      double std = var > 1e-12 ? Math.sqrt(var) : 1;
      inputs.add(new ModelSignature.Input(used.get(c), mean, std));
    }

    // 3. Tribuo: logistic regression (log loss, AdaGrad), then ONNX.
    LabelFactory labels = new LabelFactory();
    var provenance =
        new SimpleDataSourceProvenance(
            "training." + trainingSet + "@" + snap.snapshotId(), OffsetDateTime.now(), labels);
    List<org.tribuo.Example<Label>> examples = new ArrayList<>();
    String[] names = used.toArray(String[]::new);
    for (int i : train) {
      double[] scaled = new double[names.length];
      for (int c = 0; c < names.length; c++) scaled[c] = inputs.get(c).scaled(xs.get(i)[c]);
      examples.add(new ArrayExample<>(new Label(ys.get(i)), names, scaled));
    }
    MutableDataset<Label> dataset =
        new MutableDataset<>(new ListDataSource<>(examples, labels, provenance));
    LinearSGDTrainer trainer =
        new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1, 0.1), epochs, -1, 1, SEED);
    long t0 = System.currentTimeMillis();
    LinearSGDModel model = (LinearSGDModel) trainer.train(dataset);
    LOG.info(
        "trained on {} rows, {} features in {} ms",
        train.size(),
        names.length,
        System.currentTimeMillis() - t0);
    List<ModelSignature.Input> ordered = new ArrayList<>();
    for (int f = 0; f < model.getFeatureIDMap().size(); f++) {
      String name = model.getFeatureIDMap().get(f).getName();
      ordered.add(inputs.stream().filter(in -> in.name().equals(name)).findFirst().orElseThrow());
    }
    List<String> outputs = new ArrayList<>();
    for (int o = 0; o < model.getOutputIDInfo().size(); o++)
      outputs.add(model.getOutputIDInfo().getOutput(o).getLabel());
    ModelSignature signature = new ModelSignature(ordered, outputs, positive, "mean");
    OnnxMl.ModelProto proto =
        model.exportONNXModel("io.janus", 1L).toBuilder()
            .addMetadataProps(
                OnnxMl.StringStringEntryProto.newBuilder()
                    .setKey(ModelSignature.METADATA_KEY)
                    .setValue(signature.toJson()))
            .build();
    byte[] onnx = proto.toByteArray();

    // 4. Held-out metrics, scored by the exported file.
    Map<String, Double> metrics = new LinkedHashMap<>();
    try (OnnxModel scorer = OnnxModel.load(onnx, "trained model")) {
      double[][] batch = new double[test.size()][];
      int[] truth = new int[test.size()];
      for (int j = 0; j < test.size(); j++) {
        double[] raw = xs.get(test.get(j));
        double[] inOrder = new double[ordered.size()];
        for (int c = 0; c < ordered.size(); c++)
          inOrder[c] = raw[used.indexOf(ordered.get(c).name())];
        batch[j] = inOrder;
        truth[j] = ys.get(test.get(j)).equals(positive) ? 1 : 0;
      }
      double[] p = test.isEmpty() ? new double[0] : scorer.score(batch, test.size());
      // A figure that cannot be measured (a holdout without both classes) is left out, not NaN.
      putFinite(metrics, "auc", Evaluation.auc(p, truth));
      putFinite(metrics, "accuracy", Evaluation.accuracy(p, truth));
      putFinite(metrics, "log_loss", Evaluation.logLoss(p, truth));
    }
    metrics.put("train_rows", (double) train.size());
    metrics.put("test_rows", (double) test.size());
    metrics.put("positive_rate", ys.stream().filter(positive::equals).count() / (double) n);
    metrics.put("unlabelled_rows", (double) unlabelled);

    Map<String, String> params = new LinkedHashMap<>();
    params.put("trainer", "tribuo LinearSGDTrainer(LogMulticlass, AdaGrad(0.1))");
    params.put("epochs", Integer.toString(epochs));
    params.put("seed", Long.toString(SEED));
    params.put("label", label);
    params.put("positive_label", positive);
    params.put("features", String.join(",", signature.names()));
    if (!skipped.isEmpty()) params.put("skipped_features", String.join(",", skipped));
    params.put("imputation", "mean of training rows, then (x - mean) / std");
    params.put("holdout", "every fifth row");
    return new Trained(onnx, signature, metrics, params, snap.snapshotId());
  }

  private static void putFinite(Map<String, Double> metrics, String name, double value) {
    if (Double.isFinite(value)) metrics.put(name, value);
  }

  private static String labelText(Object y) {
    if (y instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue()))
      return Long.toString(num.longValue());
    return y.toString().trim().toLowerCase(java.util.Locale.ROOT);
  }
}
