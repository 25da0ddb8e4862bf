package io.janus.jobs.cli;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.training.PointInTimeJoin;
import io.janus.engine.flink.training.Spine;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.export.TableExport;
import io.janus.jobs.Failures.CliException;
import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.predict.BatchPrediction;
import io.janus.registry.predict.PredictionResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus predict}: batch prediction with a registered model into predictions.<name>. */
@Command(
    name = "predict",
    description =
        "Score rows with a registered model (ONNX Runtime) on point-in-time features, written to"
            + " predictions.<name> through Write-Audit-Publish.")
public final class PredictCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "MODEL[@VERSION|@production]",
      description = "The model version (a bare MODEL means its production version).")
  String model;

  @ArgGroup(multiplicity = "1")
  Rows rows;

  /** What to score: a spine, or every key. */
  static final class Rows {
    @Option(
        names = "--spine",
        paramLabel = "FILE|TABLE",
        description = "Rows to score (keys and a time).")
    String spine;

    @Option(
        names = "--all-keys",
        description = "Every key of the groups' feature table, at --as-of.")
    boolean allKeys;
  }

  @Option(
      names = "--groups",
      split = ",",
      description = "Feature groups (default: those of the model's training set).")
  List<String> groups;

  @Option(
      required = true,
      names = "--name",
      description = "Prediction set name (predictions.<name>).")
  String name;

  @Option(
      names = "--time-column",
      defaultValue = "ts",
      description = "Spine time column (default: ${DEFAULT-VALUE}).")
  String timeColumn;

  @Option(
      names = "--key-map",
      paramLabel = "COLUMN=ENTITY",
      description = "A spine column holding an entity key of another name.")
  Map<String, String> keyMap = new LinkedHashMap<>();

  @Option(
      names = "--as-of",
      paramLabel = "TIME",
      description = "With --all-keys: the time of the features (ISO-8601; default now).")
  String asOf;

  @Option(
      names = "--export",
      paramLabel = "FILE",
      description = "Also write the rows to FILE (.jsonl, .csv or .parquet).")
  Path export;

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Warehouse warehouse = common.warehouse();
    ModelRegistry registry = ModelRegistry.open(warehouse);
    ModelVersion version = registry.resolve(model.contains("@") ? model : model + "@production");
    byte[] onnx = registry.load(version);
    List<FeatureGroup> gs = new ArrayList<>();
    List<String> names =
        groups != null ? groups : version.features().stream().map(f -> f.group()).toList();
    for (String g : names) gs.add(common.group(g.trim()));
    Spine spine;
    if (rows.allKeys) {
      for (FeatureGroup g : gs) {
        if (!g.entity().equals(gs.get(0).entity()))
          throw new CliException(
              "--all-keys needs groups with one entity; "
                  + g.name()
                  + " is keyed by "
                  + g.entity()
                  + ", "
                  + gs.get(0).name()
                  + " by "
                  + gs.get(0).entity());
      }
      Instant at = asOf == null ? Instant.now() : parseTime(asOf);
      spine = Spine.keysOf(warehouse, gs.get(0), at);
    } else {
      if (asOf != null)
        throw new CliException("--as-of goes with --all-keys (a spine has its own times)");
      spine =
          TrainingSetCommand.spineOf(
              warehouse,
              rows.spine,
              timeColumn,
              io.janus.engine.iceberg.Warehouse.id(BatchPrediction.NAMESPACE, name + "__spine"));
    }
    PointInTimeJoin join = PointInTimeJoin.of(warehouse, spine, gs).withKeyMap(keyMap);
    PredictionResult r =
        BatchPrediction.of(warehouse, version, onnx, join, name)
            .withWorkingDir(Path.of(""))
            .run(common.env());
    if (export != null && r.published()) {
      TableExport.write(warehouse.load(BatchPrediction.id(name)), r.snapshotId(), export);
    }
    if (json) {
      System.out.println(
          Json.line(
              new Output(
                  r,
                  export == null || !r.published() ? null : export.toAbsolutePath().toString())));
    } else {
      System.out.printf(
          "predictions %s: %,d rows scored by %s in %s (snapshot %d, %s) in %.1f s%n",
          r.name(),
          r.rows(),
          version.ref(),
          r.table(),
          r.snapshotId(),
          r.published() ? "published" : "NOT published",
          r.millis() / 1000.0);
      PredictionResult.Audit a = r.audit();
      System.out.printf(
          "  audit: %s; score min %s max %s mean %s; %,d rows with imputed features%n",
          a.passed() ? "passed" : "FAILED " + a.failures(),
          a.scoreMin(),
          a.scoreMax(),
          a.scoreMean(),
          a.imputedRows());
      if (export != null && r.published())
        System.out.printf("  exported to %s%n", export.toAbsolutePath());
    }
    return r.published() ? 0 : 1;
  }

  private static Instant parseTime(String text) {
    try {
      return Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw new CliException(
          "--as-of " + text + " is not an ISO-8601 instant (e.g. 2026-01-02T03:04:05Z)");
    }
  }

  /** What {@code --json} prints: the result and, when asked for, the export file. */
  record Output(
      @com.fasterxml.jackson.annotation.JsonUnwrapped PredictionResult result, String export) {}
}
