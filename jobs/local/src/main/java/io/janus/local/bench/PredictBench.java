package io.janus.local.bench;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.training.PointInTimeJoin;
import io.janus.engine.flink.training.Spine;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.flink.training.TrainingSetResult;
import io.janus.engine.iceberg.Warehouse;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.predict.BatchPrediction;
import io.janus.registry.predict.PredictionResult;
import io.janus.registry.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.iceberg.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus bench predict}: batch prediction of N spine rows with a model trained on a small
 * training set of the same synthetic feature table, next to two baselines measured in the same run
 * over the same inputs: the training-set job (the same point-in-time join, no model) and the I/O
 * floor (read both inputs, write as many rows of the prediction table's schema, no join, no model).
 */
@Command(
    name = "predict",
    description = "Batch prediction rows/s vs the same join without a model and vs the I/O floor.")
public final class PredictBench implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--rows",
      defaultValue = "1000000",
      description = "Spine rows to score (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--keys",
      defaultValue = "100000",
      description = "Entity keys of the feature table, two rows each (default: ${DEFAULT-VALUE}).")
  long keys;

  @Option(
      names = "--group",
      defaultValue = "user_activity",
      description = "Shipped group (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--json", description = "Print the figures as JSON.")
  boolean json;

  /**
   * What the bench measured.
   *
   * @param ratio prediction rows/s over the floor's
   * @param ratioToJoin prediction rows/s over the training-set job's (the model's own cost)
   */
  record Figures(
      String group,
      long rows,
      long keys,
      int inputs,
      int parallelism,
      double predictSeconds,
      long rowsPerSecond,
      double joinSeconds,
      long joinRowsPerSecond,
      double floorSeconds,
      long floorRowsPerSecond,
      double ratio,
      double ratioToJoin) {}

  @Override
  public Integer call() throws Exception {
    FeatureGroup g = common.group(group);
    if (g.entity().size() != 1)
      throw new IllegalArgumentException("bench predict needs a group with one entity key");
    Path dir =
        Files.createDirectories(common.config().workdir().resolve("bench"))
            .resolve("predict-" + System.currentTimeMillis());
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    int parallelism = common.env().getParallelism();
    new FeatureTableFixture(warehouse, g, keys).writeAll(parallelism);
    String key = g.entity().get(0);
    Path small =
        TrainingSetBench.writeSpine(dir.resolve("train.jsonl"), key, Math.min(rows, 20_000), keys);
    Path spine = TrainingSetBench.writeSpine(dir.resolve("spine.jsonl"), key, rows, keys);

    // The model: trained on a small training set of the same table, registered, loaded back.
    TrainingSet.of(warehouse, Spine.file(small, "ts"), List.of(g), "bench_train").run(common.env());
    Trainer.Trained trained = Trainer.of(warehouse, "bench_train", "label").withEpochs(2).train();
    ModelRegistry registry = ModelRegistry.open(warehouse);
    ModelVersion v =
        registry
            .register("bench")
            .artifact(trained.onnx(), ".onnx")
            .trainingSet("bench_train")
            .register();

    long p0 = System.nanoTime();
    PredictionResult r =
        BatchPrediction.of(
                warehouse,
                v,
                registry.load(v),
                PointInTimeJoin.of(warehouse, Spine.file(spine, "ts"), List.of(g)),
                "bench")
            .run(common.env());
    double predictSeconds = (System.nanoTime() - p0) / 1e9;
    if (!r.published()) throw new IllegalStateException("prediction audit failed: " + r.audit());

    long j0 = System.nanoTime();
    TrainingSetResult join =
        TrainingSet.of(warehouse, Spine.file(spine, "ts"), List.of(g), "bench_join")
            .run(common.env());
    double joinSeconds = (System.nanoTime() - j0) / 1e9;

    Table out = warehouse.load(BatchPrediction.id("bench"));
    long f0 = System.nanoTime();
    TrainingSetBench.floor(
        common.env(),
        warehouse,
        g,
        Spine.file(spine, "ts"),
        out.schema(),
        join.groups().get(0).snapshotId(),
        "predict_floor");
    double floorSeconds = (System.nanoTime() - f0) / 1e9;

    Figures f =
        new Figures(
            g.name(),
            r.rows(),
            keys,
            trained.signature().inputs().size(),
            parallelism,
            TrainingSetBench.round(predictSeconds),
            Math.round(r.rows() / predictSeconds),
            TrainingSetBench.round(joinSeconds),
            Math.round(join.rows() / joinSeconds),
            TrainingSetBench.round(floorSeconds),
            Math.round(r.rows() / floorSeconds),
            TrainingSetBench.round(floorSeconds / predictSeconds),
            TrainingSetBench.round(joinSeconds / predictSeconds));
    if (json) {
      System.out.println(Json.line(f));
    } else {
      System.out.printf(
          "predict bench: %s, %,d rows over %,d keys, %d model inputs, parallelism %d%n",
          g.name(), r.rows(), keys, f.inputs(), parallelism);
      System.out.printf(
          "  predict (join, ONNX Runtime, WAP write + audit)   %6.1f s  %,10d rows/s%n",
          predictSeconds, f.rowsPerSecond());
      System.out.printf(
          "  same join, no model (training-set job)            %6.1f s  %,10d rows/s%n",
          joinSeconds, f.joinRowsPerSecond());
      System.out.printf(
          "  I/O floor (read both inputs, write as many rows)  %6.1f s  %,10d rows/s%n",
          floorSeconds, f.floorRowsPerSecond());
      System.out.printf(
          "  ratio to floor %.2f, to the join alone %.2f%n", f.ratio(), f.ratioToJoin());
    }
    return 0;
  }
}
