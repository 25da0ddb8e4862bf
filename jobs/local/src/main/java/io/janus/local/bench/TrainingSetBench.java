package io.janus.local.bench;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.sink.IcebergAppend;
import io.janus.engine.flink.training.Spine;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.flink.training.TrainingSetResult;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus bench training-set}: a point-in-time training set of N spine rows (a JSON-lines
 * file) against a synthetic feature table, next to its I/O floor measured in the same run: a plain
 * Flink BATCH job that reads the same spine file and the same feature snapshot and writes as many
 * rows of the same schema to an Iceberg table, without joining.
 */
@Command(
    name = "training-set",
    description = "Training-set rows/s vs a plain read-and-write Flink job over the same inputs.")
public final class TrainingSetBench implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--spine-rows",
      defaultValue = "1000000",
      description = "Spine rows (default: ${DEFAULT-VALUE}).")
  long spineRows;

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
   * @param ratio training-set rows/s over the floor's
   */
  record Figures(
      String group,
      long spineRows,
      long keys,
      long rowsWithFeatures,
      int parallelism,
      double trainingSetSeconds,
      long rowsPerSecond,
      double floorSeconds,
      long floorRowsPerSecond,
      double ratio) {}

  @Override
  public Integer call() throws Exception {
    FeatureGroup g = common.group(group);
    if (g.entity().size() != 1)
      throw new IllegalArgumentException("bench training-set needs a group with one entity key");
    Path dir =
        Files.createDirectories(common.config().workdir().resolve("bench"))
            .resolve("training-set-" + System.currentTimeMillis());
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    int parallelism = common.env().getParallelism();
    new FeatureTableFixture(warehouse, g, keys).writeAll(parallelism);
    Path spine = writeSpine(dir.resolve("spine.jsonl"), g.entity().get(0), spineRows, keys);

    // Warm-up (not timed): the first Flink job of a JVM also pays for the MiniCluster's start and
    // the JIT, which would otherwise count against whichever job is measured first.
    Path warm =
        writeSpine(
            dir.resolve("warmup.jsonl"), g.entity().get(0), Math.min(spineRows, 20_000), keys);
    TrainingSet.of(warehouse, Spine.file(warm, "ts"), List.of(g), "warmup").run(common.env());

    long t0 = System.nanoTime();
    TrainingSetResult r =
        TrainingSet.of(warehouse, Spine.file(spine, "ts"), List.of(g), "bench").run(common.env());
    double tsSeconds = (System.nanoTime() - t0) / 1e9;
    Table out = warehouse.load(TrainingSet.id("bench"));
    long withFeatures = 0;
    try (var rows =
        org.apache.iceberg.data.IcebergGenerics.read(out)
            .select(r.groups().get(0).columns().get(0))
            .build()) {
      for (var rec : rows)
        if (rec.getField(r.groups().get(0).columns().get(0)) != null) withFeatures++;
    }

    long f0 = System.nanoTime();
    floor(
        common.env(),
        warehouse,
        g,
        Spine.file(spine, "ts"),
        out.schema(),
        r.groups().get(0).snapshotId(),
        "floor");
    double floorSeconds = (System.nanoTime() - f0) / 1e9;

    Figures f =
        new Figures(
            g.name(),
            r.rows(),
            keys,
            withFeatures,
            parallelism,
            round(tsSeconds),
            Math.round(r.rows() / tsSeconds),
            round(floorSeconds),
            Math.round(r.rows() / floorSeconds),
            round(floorSeconds / tsSeconds));
    if (json) {
      System.out.println(Json.line(f));
    } else {
      System.out.printf(
          "training-set bench: %s, %,d spine rows over %,d keys (%,d with features), parallelism %d%n",
          g.name(), r.rows(), keys, withFeatures, parallelism);
      System.out.printf(
          "  training set (file spine, as-of join, Iceberg write)  %6.1f s  %,10d rows/s%n",
          tsSeconds, f.rowsPerSecond());
      System.out.printf(
          "  I/O floor (read both inputs, write as many rows)      %6.1f s  %,10d rows/s%n",
          floorSeconds, f.floorRowsPerSecond());
      System.out.printf(
          "  ratio                                                 %6.2f%n", f.ratio());
    }
    return 0;
  }

  /** Spine rows: random keys of the fixture (a tenth unknown), times over yesterday and today. */
  static Path writeSpine(Path file, String keyColumn, long spineRows, long keys) throws Exception {
    long from =
        LocalDate.now(ZoneOffset.UTC)
            .minusDays(1)
            .atStartOfDay(ZoneOffset.UTC)
            .toInstant()
            .toEpochMilli();
    long span = System.currentTimeMillis() - from;
    Random rnd = new Random(42);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (long i = 0; i < spineRows; i++) {
        long k = (long) (rnd.nextDouble() * keys * 1.1);
        long ts = from + (long) (rnd.nextDouble() * span);
        w.write("{\"");
        w.write(keyColumn);
        w.write("\":\"k");
        w.write(Long.toString(k));
        w.write("\",\"ts\":\"");
        w.write(Instant.ofEpochMilli(ts).toString());
        w.write("\",\"label\":");
        w.write(rnd.nextInt(10) == 0 ? "1" : "0");
        w.write("}\n");
      }
    }
    return file;
  }

  /** The same inputs read, as many rows of {@code schema} written to {@code bench.<table>}. */
  static void floor(
      StreamExecutionEnvironment env,
      Warehouse warehouse,
      FeatureGroup g,
      Spine spine,
      Schema schema,
      long snapshot,
      String table)
      throws Exception {
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    Table features = warehouse.load(FeatureTables.id(g));
    env.fromSource(
            IcebergSource.forRowData()
                .tableLoader(warehouse.tableLoader(FeatureTables.id(g)))
                .useSnapshotId(snapshot)
                .project(features.schema())
                .build(),
            WatermarkStrategy.noWatermarks(),
            "feature table",
            InternalTypeInfo.of(FlinkSchemaUtil.convert(features.schema())))
        .sinkTo(new DiscardingSink<>());
    int width = schema.columns().size();
    int spineWidth = spine.columnNames().size();
    MapFunction<RowData, RowData> widen =
        row -> {
          GenericRowData o = new GenericRowData(width);
          GenericRowData in = (GenericRowData) row;
          for (int i = 0; i < spineWidth; i++) o.setField(i, in.getField(i + 1));
          return o;
        };
    TableIdentifier id = TableIdentifier.of("bench", table);
    warehouse.createOrLoad(id, schema, PartitionSpec.unpartitioned());
    IcebergAppend.to(warehouse.tableLoader(id), "janus-bench-floor-" + System.nanoTime())
        .append(
            spine.rows(env).map(widen, InternalTypeInfo.of(FlinkSchemaUtil.convert(schema))),
            "iceberg floor writer");
    env.execute("janus bench training-set I/O floor");
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
